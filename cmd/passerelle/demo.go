package main

import "context"

func seedDemo(ctx context.Context, m *Main) error { return nil }

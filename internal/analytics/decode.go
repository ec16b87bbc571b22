package analytics

// DecodeText returns a text file as UTF-8 and the encoding it was in (UTF-8 with or
// without a BOM, UTF-16 with a BOM, GBK/GB18030), for the other importers (the
// schedule import). The error is an *ImportError whose Reason is user-safe.
func DecodeText(data []byte) (text, encoding string, err error) { return decodeText(data) }

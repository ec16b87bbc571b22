package store

// Exported for tests.
var ParseUTC = parseUTC

const TimeLayout = timeLayout

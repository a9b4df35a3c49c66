package faults

import "sync"

// badRows collects the bad-input table.
var badRows = struct {
	sync.Mutex
	rows [][]string
}{}

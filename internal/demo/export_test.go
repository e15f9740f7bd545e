package demo

// SetTxPersons sets the number of persons per transaction for a test and
// returns a function that restores it.
func SetTxPersons(n int) (restore func()) {
	old := txPersons
	txPersons = n
	return func() { txPersons = old }
}

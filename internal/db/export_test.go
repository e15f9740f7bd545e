package db

// WithoutJIT exposes withoutJIT to the package's external tests.
var WithoutJIT = withoutJIT

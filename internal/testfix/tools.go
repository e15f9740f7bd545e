package testfix

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Tool finds a command-line program a test checks its output with (a real
// PDF reader, a real QR decoder). Where it is missing the test is skipped,
// unless JISHENG_REQUIRE_TOOLS=1 (set by .ci/run, which installs them): then
// it fails, so CI never passes by skipping.
func Tool(t testing.TB, name, debianPackages string) string {
	t.Helper()
	path, ok := OptionalTool(t, name, debianPackages)
	if !ok {
		t.Skip(name + " not found; install it with: apt-get install -y " + debianPackages)
	}
	return path
}

// OptionalTool is Tool for a check inside a larger test, which goes on
// without it: ok is false (and the test says so in its log) where the
// program is missing, and the test fails if JISHENG_REQUIRE_TOOLS=1.
func OptionalTool(t testing.TB, name, debianPackages string) (path string, ok bool) {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil && strings.Contains(debianPackages, "poppler-data") {
		// Without poppler-data, poppler knows no Chinese CMap and reads no text.
		_, err = os.Stat("/usr/share/poppler/cMap")
	}
	if err == nil {
		return path, true
	}
	msg := name + " not found; install it with: apt-get install -y " + debianPackages
	if os.Getenv("JISHENG_REQUIRE_TOOLS") == "1" {
		t.Fatal(msg)
	}
	t.Log(msg + " (check left out)")
	return "", false
}

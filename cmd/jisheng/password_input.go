package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// stdinWait bounds how long a command waits for a password piped on standard
// input, so that a command started with an open but silent pipe fails
// instead of hanging.
const stdinWait = 10 * time.Second

// readPasswordFile reads a password from a file, or from standard input when
// path is "-". Only the trailing line break is removed.
func readPasswordFile(env *cliEnv, path string) (string, error) {
	var b []byte
	var err error
	if path == "-" {
		b, err = readStdin(env.stdin)
	} else {
		b, err = os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("无法读取密码文件 %s：%w", path, err)
		}
	}
	if err != nil {
		return "", err
	}
	pw := strings.TrimRight(string(b), "\r\n")
	if pw == "" {
		return "", errors.New("密码为空")
	}
	return pw, nil
}

// readPassword gets a password for a new or reset account: from
// --password-file if given; else, on a terminal, by asking twice without
// echo; else from piped standard input. It never waits for a person when
// standard input is not a terminal.
func readPassword(env *cliEnv, path string) (string, error) {
	if path != "" {
		return readPasswordFile(env, path)
	}
	fd := int(env.stdin.Fd())
	if term.IsTerminal(fd) {
		return promptPassword(env, fd)
	}
	b, err := readStdin(env.stdin)
	if err != nil {
		return "", err
	}
	pw := strings.TrimRight(string(b), "\r\n")
	if pw == "" {
		return "", errors.New("未提供密码：请用 --password-file 指定密码文件，或通过标准输入传入密码")
	}
	return pw, nil
}

func promptPassword(env *cliEnv, fd int) (string, error) {
	fmt.Fprint(env.stderr, "密码：")
	a, err := term.ReadPassword(fd)
	fmt.Fprintln(env.stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(env.stderr, "再次输入密码：")
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(env.stderr)
	if err != nil {
		return "", err
	}
	if string(a) != string(b) {
		return "", errors.New("两次输入的密码不一致")
	}
	return string(a), nil
}

// readStdin reads at most 4 KiB of standard input, giving up after stdinWait.
func readStdin(f *os.File) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(io.LimitReader(f, 4096))
		ch <- result{b, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("读取标准输入失败：%w", r.err)
		}
		return r.b, nil
	case <-time.After(stdinWait):
		return nil, errors.New("等待标准输入中的密码超时：请用 --password-file 指定密码文件")
	}
}

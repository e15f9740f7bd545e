package bankfile

import (
	"fmt"
	"strings"

	"jisheng/internal/apperr"
)

// Problem is one bad payment of a batch or one bad line of a return file.
type Problem struct {
	// Line is the payment's position in the batch (Write) or the line of
	// the file (ParseReturn), from 1; 0 for a batch header or trailer.
	Line int `json:"line"`
	// Field is the field name the problem is about, if one.
	Field string `json:"field,omitempty"`
	// Message is the whole Chinese message, starting "第 N 笔" or "第 N 行".
	Message string `json:"message"`
}

// Problems is the list of problems of one batch or return file. It is the
// cause (errors.As) of the *apperr.Error that Write and ParseReturn return,
// whose message shows the first few.
type Problems []Problem

func (ps Problems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "\n")
}

// maxProblems bounds the problems kept: a file in the wrong layout has one
// on every line, and the first thousand say enough.
const maxProblems = 1000

// shownProblems is how many the error message itself repeats.
const shownProblems = 10

// collector gathers problems, counting those beyond maxProblems.
type collector struct {
	list  Problems
	total int
}

func (c *collector) add(line int, field, msg string) {
	c.total++
	if len(c.list) < maxProblems {
		c.list = append(c.list, Problem{Line: line, Field: field, Message: msg})
	}
}

// err is nil without problems, else an invalid-input error listing them.
func (c *collector) err() error {
	if c.total == 0 {
		return nil
	}
	if c.total == 1 {
		return &apperr.Error{Code: apperr.Invalid, Message: c.list[0].Message, Row: c.list[0].Line, Err: c.list}
	}
	n := min(len(c.list), shownProblems)
	msgs := make([]string, n)
	for i := range n {
		msgs[i] = c.list[i].Message
	}
	msg := fmt.Sprintf("共 %d 处问题：%s", c.total, strings.Join(msgs, "；"))
	if c.total > n {
		msg += "；……"
	}
	return &apperr.Error{Code: apperr.Invalid, Message: msg, Err: c.list}
}

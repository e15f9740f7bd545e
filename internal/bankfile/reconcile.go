package bankfile

import "fmt"

// Matched is a payment sent and the bank's line about it.
type Matched struct {
	Sent   Line       `json:"sent"`
	Return ReturnLine `json:"return"`
}

// Unmatched is a return line that settles no payment, and why.
type Unmatched struct {
	ReturnLine
	Reason string `json:"reason"`
}

// Reconciliation is a batch compared with its return file.
type Reconciliation struct {
	Paid      []Matched   `json:"paid"`
	Failed    []Matched   `json:"failed"`
	Unmatched []Unmatched `json:"unmatched"` // returned lines matching nothing sent, or disagreeing with it
	Missing   []Line      `json:"missing"`   // sent, and no (agreeing) return line
}

// Settled reports whether every payment has an agreeing answer and every
// answer a payment: only then may the batch be closed without a look.
func (r *Reconciliation) Settled() bool { return len(r.Unmatched) == 0 && len(r.Missing) == 0 }

// PaidFen is the sum paid.
func (r *Reconciliation) PaidFen() int64 {
	var s int64
	for _, m := range r.Paid {
		s += m.Sent.AmountFen
	}
	return s
}

// Reconcile matches a return file's lines with the payments sent. A line
// with a seq is matched to the payment of that seq, and must agree with it
// on account and amount where it states them; a line without a seq is
// matched to the first unsettled payment to that account (of that amount,
// if stated). A line that disagrees is Unmatched with the reason, and its
// payment stays Missing: money is never marked paid on a doubtful line.
// The result follows the order of the return file, Missing that of sent.
func Reconcile(sent []Line, returned []ReturnLine) Reconciliation {
	m := newMatcher(sent)
	var rec Reconciliation
	for _, rl := range returned {
		i, reason := m.find(rl)
		if reason != "" {
			rec.Unmatched = append(rec.Unmatched, Unmatched{ReturnLine: rl, Reason: reason})
			continue
		}
		m.settled[i], m.settledBy[i] = true, rl.LineNo
		pair := Matched{Sent: sent[i], Return: rl}
		if rl.Paid {
			rec.Paid = append(rec.Paid, pair)
		} else {
			rec.Failed = append(rec.Failed, pair)
		}
	}
	for i, s := range sent {
		if !m.settled[i] {
			rec.Missing = append(rec.Missing, s)
		}
	}
	return rec
}

type matcher struct {
	sent      []Line
	bySeq     map[int]int      // seq → first payment with it
	byAccount map[string][]int // account → its payments, in order
	settled   []bool           // payment → has an agreeing answer
	settledBy []int            // payment → the file line of that answer
}

func newMatcher(sent []Line) *matcher {
	m := &matcher{sent: sent, bySeq: make(map[int]int, len(sent)), byAccount: make(map[string][]int, len(sent)),
		settled: make([]bool, len(sent)), settledBy: make([]int, len(sent))}
	for i, s := range sent {
		if _, dup := m.bySeq[s.Seq]; !dup {
			m.bySeq[s.Seq] = i
		}
		m.byAccount[s.AccountNo] = append(m.byAccount[s.AccountNo], i)
	}
	return m
}

// find returns the payment rl settles, or why it settles none.
func (m *matcher) find(rl ReturnLine) (int, string) {
	if rl.Seq > 0 {
		return m.bySeqNo(rl)
	}
	if rl.AccountNo == "" {
		return -1, "回盘记录既没有序号也没有账号"
	}
	return m.byAccountNo(rl)
}

func (m *matcher) bySeqNo(rl ReturnLine) (int, string) {
	i, ok := m.bySeq[rl.Seq]
	switch {
	case !ok:
		return -1, fmt.Sprintf("序号 %d 不在发出的批次中", rl.Seq)
	case m.settled[i]:
		return -1, fmt.Sprintf("序号 %d 重复回盘（第 %d 行已有）", rl.Seq, m.settledBy[i])
	case rl.AccountNo != "" && rl.AccountNo != m.sent[i].AccountNo:
		return -1, fmt.Sprintf("序号 %d 的账号不符：发出 %s，回盘 %s", rl.Seq, m.sent[i].AccountNo, rl.AccountNo)
	case rl.AmountFen != 0 && rl.AmountFen != m.sent[i].AmountFen:
		return -1, fmt.Sprintf("序号 %d 的金额不符：发出 %s 元，回盘 %s 元", rl.Seq, yuanText(m.sent[i].AmountFen), yuanText(rl.AmountFen))
	}
	return i, ""
}

func (m *matcher) byAccountNo(rl ReturnLine) (int, string) {
	payments := m.byAccount[rl.AccountNo]
	if len(payments) == 0 {
		return -1, fmt.Sprintf("账号 %s 不在发出的批次中", rl.AccountNo)
	}
	open := false
	for _, i := range payments {
		if m.settled[i] {
			continue
		}
		open = true
		if rl.AmountFen == 0 || rl.AmountFen == m.sent[i].AmountFen {
			return i, ""
		}
	}
	if !open {
		return -1, fmt.Sprintf("账号 %s 的付款都已有回盘记录（重复回盘）", rl.AccountNo)
	}
	return -1, fmt.Sprintf("账号 %s 的金额不符：回盘 %s 元，发出的批次中没有该账号这一金额的付款", rl.AccountNo, yuanText(rl.AmountFen))
}

// Package bankfile writes the batch payment files a county sends its bank
// (代发批量文件) and reads the return files the bank answers with (回盘文件),
// then reconciles one against the other.
//
// Benefit programs (奖扶, 特扶, 育儿补贴 and local ones) pay families through
// the bank or the social-security card (一卡通). Every bank, and often every
// branch, wants its own layout: CSV, an Excel workbook, or fixed-width text
// in GBK with a header line of batch number, count and control total. A new
// bank must not need a new release, so a layout is data (Layout and
// ReturnLayout, JSON an administrator edits and Validate checks with Chinese
// messages naming the field), not code; the package ships a few examples to
// adapt (Examples).
//
// Money is an int64 of fen (分) from the database to the file and back;
// yuan with two decimals exist only as text in a file, formatted and parsed
// by integer arithmetic, never a float. Fixed widths are counted in bytes of
// the file's encoding, as bank systems count them (a Chinese character is 2
// bytes in GBK, 3 in UTF-8): a value is never cut through a character, and
// a value too wide for its field is an error naming the line and field. Only
// free text (names, purpose, remark) may be shortened, and only when the
// layout says Truncate; an account number or an amount never is.
//
// Writing is all or nothing and deterministic: every line is checked before
// the first byte goes out, all problems are reported together, and the same
// batch gives a byte-identical file, so a file can be regenerated and
// compared. Reading a return file never panics: each bad line becomes a
// "第 N 行：…" problem and all of them are returned together.
package bankfile

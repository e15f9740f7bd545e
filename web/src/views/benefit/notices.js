// Pure logic of the notices page.

/** The kinds of written notice, as the server names them. */
export const NOTICE_KINDS = [
  { value: 'approval', label: '审批通知' },
  { value: 'rejection', label: '申请结果通知（未通过）' },
  { value: 'payment', label: '发放通知' },
  { value: 'stop', label: '停发通知' },
]

/** What is missing before notices can be issued, or ''. */
export function noticeProblem(form) {
  if (!form.program) return '请选择项目'
  if (form.kind === 'payment' || form.kind === 'stop') {
    if (!form.cycle_id) return '发放和停发通知须选择发放批次'
    return ''
  }
  if (!Number.isInteger(form.year) || form.year < 2004 || form.year > 2100) return '年度应为四位年份'
  return ''
}

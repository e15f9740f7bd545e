// Benefits for families (待遇发放, internal/benefit on the server): programs
// and their parameters, attested facts, eligibility decisions, candidates
// and their review, public postings with objections, payment accounts and
// payroll cycles. Amounts are integers in fen.
import { api, buildUrl, postFile } from './client.js'

/** Programs with the parameter values in force for the caller's county on a date (default today). */
export const listPrograms = (query, opts) => api.get('/api/v1/benefit/programs', query, opts)
/** Sets a version of a county parameter: {program, key, scope, from, value, basis}. */
export const setParam = (body) => api.put('/api/v1/benefit/params', body)
/** Records a fact an officer checked: {person_id, key, value, evidence}. */
export const attestFact = (body) => api.post('/api/v1/benefit/facts', body)
/** Runs a program's rules for a person on a date; the decision is kept and journaled. */
export const evaluate = (body) => api.post('/api/v1/benefit/evaluate', body)
/** The yearly sweep of a program in the caller's area: {program, year, date?}. */
export const runSweep = (body) => api.post('/api/v1/benefit/sweeps', body)
/** Records an application: {program, year, person_id, applicant_id?, date?, note}. */
export const applyCandidate = (body) => api.post('/api/v1/benefit/candidates', body)
/** Candidates; mine=1 is the caller's review queue, q part of the name (at most 20 characters). */
export const listCandidates = (query, opts) => api.get('/api/v1/benefit/candidates', query, opts)
export const getCandidate = (id, opts) => api.get(`/api/v1/benefit/candidates/${id}`, undefined, opts)
/** Decides a candidate: {action: approve|reject|return|recheck, reason, version}. */
export const reviewCandidate = (id, body) => api.post(`/api/v1/benefit/candidates/${id}/review`, body)
/**
 * Changes whom a candidate is paid to: {payee_id, reason, version}. The
 * answer is the candidate with lines_kept (payroll lines already generated,
 * which keep the old payee) and warnings; a stale version answers 409.
 */
export const changePayee = (id, body) => api.post(`/api/v1/benefit/candidates/${id}/payee`, body)

/** The facts attested about a person: {facts (in force, one per key), history (newest first)}; the read is journaled. */
export const getPersonFacts = (personId, opts) => api.get(`/api/v1/benefit/persons/${personId}/facts`, undefined, opts)
/** A person's payment account, number masked; 404 when none is recorded. */
export const getPersonAccount = (personId, opts) => api.get(`/api/v1/benefit/persons/${personId}/account`, undefined, opts)
/** The programs with every version of every parameter at the county's layers (history), newest first per key. */
export const listProgramHistory = (query, opts) => api.get('/api/v1/benefit/programs', { ...query, history: 1 }, opts)

export const listPostings = (query, opts) => api.get('/api/v1/benefit/postings', query, opts)
/** Posts the list waiting at a level: {program, year, level: village|county, division}. */
export const openPosting = (body) => api.post('/api/v1/benefit/postings', body)
export const getPosting = (id, opts) => api.get(`/api/v1/benefit/postings/${id}`, undefined, opts)
/** Ends a posting whose window has passed with no objection open. */
export const closePosting = (id) => api.post(`/api/v1/benefit/postings/${id}/close`)
/** Records an objection; answers {id}, the number needed to settle it. */
export const recordObjection = (postingId, body) => api.post(`/api/v1/benefit/postings/${postingId}/objections`, body)
/** Settles an objection: {outcome: upheld|dismissed, resolution}. */
export const settleObjection = (id, body) => api.post(`/api/v1/benefit/objections/${id}/settle`, body)
/** A posting's public page: no session needed (a 401 is never expected, so none redirects). */
export const getPublicPosting = (code, opts) =>
  api.get(`/api/v1/public/postings/${encodeURIComponent(code)}`, undefined, { ...opts, auth: false })

/** Records a payment account; the answer carries the number masked. */
export const setAccount = (body) => api.post('/api/v1/benefit/accounts', body)
/** Builds (or returns the existing) payroll of a program and period: answer.created tells which. */
export const generatePayroll = (body) => api.post('/api/v1/benefit/cycles', body)

let catalog = null
/** The programs as of today (names, subjects, parameter keys); loaded once, for pickers and labels. */
export function programCatalog() {
  if (!catalog) {
    catalog = listPrograms().then((r) => r?.items || []).catch((e) => {
      catalog = null
      throw e
    })
  }
  return catalog
}
/** For tests and after a parameter is set: forget the cached programs. */
export function clearProgramCatalog() {
  catalog = null
}

/** The payroll cycles of the county, newest first. */
export const listCycles = (query) => api.get('/api/v1/benefit/cycles', query)
/** Bank file layouts: the county's own, then the built-in examples. */
export const bankLayouts = () => api.get('/api/v1/benefit/bank-layouts')
/**
 * The bank file of a cycle (a plain link: the browser downloads it with the
 * session cookie; the server journals the export).
 */
export const bankFileUrl = (cycleId, layout, payerName) =>
  buildUrl(`/api/v1/benefit/cycles/${cycleId}/bankfile`, { layout, payer_name: payerName || undefined })
/** Uploads the bank's return file of a cycle; resolves to the reconciliation report. */
export async function importBankReturn(cycleId, layout, file) {
  const res = await postFile(`/api/v1/benefit/cycles/${cycleId}/returns`, { layout }, file, '文件超过 64 MB 上限')
  return res.json()
}

/**
 * Issues the notices of one kind that are due in the user's area (once per
 * event) and resolves to every notice of that kind, in village order.
 */
export const issueNotices = (body) => api.post('/api/v1/benefit/notices', body)

/** The PDF of the notices already issued (a plain link, like the bank file): one per page, with QR codes. */
export const noticesPdfUrl = ({ kind, program, year, cycle_id: cycleId }) =>
  buildUrl('/api/v1/benefit/notices/pdf', { kind, program, year: year || undefined, cycle_id: cycleId || undefined })
/** A posting's poster as PDF, one poster per village. */
export const posterPdfUrl = (postingId) => buildUrl(`/api/v1/benefit/postings/${postingId}/pdf`, {})
/** The public poster PDF: no session needed. */
export const publicPosterPdfUrl = (code) => buildUrl(`/api/v1/public/postings/${encodeURIComponent(code)}/pdf`, {})
/** Checks a notice's verification code: no session needed. */
export const verifyNotice = (code, opts) =>
  api.get(`/api/v1/public/notices/${encodeURIComponent(code)}`, undefined, { ...opts, auth: false })

#!/usr/bin/env node
// A small stand-in for `jisheng serve`, implementing docs/api-contract.md
// with a few fixed records in memory, and serving the built app from
// web/dist with the SPA fallback. For developing the web app and trying the
// browser test before the Go server is ready; not part of `npm test`.
//
//   npm run build && node e2e/mock-server.mjs            # http://127.0.0.1:8089
//   PORT=9000 node e2e/mock-server.mjs
//
// Accounts (password for all: Jisheng#2026): county1 (县级管理员, 舒城县),
// village1 (村计生专干, 东苑社区), viewer1 (只读), admin (系统管理员,
// must change the password at first sign-in).
import http from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkChar } from '../src/utils/idnumber.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const DIST = path.resolve(here, '..', 'dist')
const PORT = Number(process.env.PORT || 8089)
const HOST = process.env.HOST || '127.0.0.1'
const PASSWORD = 'Jisheng#2026'

// ---------------------------------------------------------------- data

const ENUMS = {
  sex: [{ value: 'male', label: '男' }, { value: 'female', label: '女' }],
  hukou_type: [{ value: 'agricultural', label: '农业' }, { value: 'non_agricultural', label: '非农业' }, { value: 'resident', label: '居民' }],
  marital_status: [{ value: 'unmarried', label: '未婚' }, { value: 'first_married', label: '初婚' }, { value: 'remarried', label: '再婚' }, { value: 'divorced', label: '离婚' }, { value: 'widowed', label: '丧偶' }],
  relation: [{ value: 'head', label: '户主' }, { value: 'spouse', label: '配偶' }, { value: 'child', label: '子女' }, { value: 'parent', label: '父母' }, { value: 'parent_in_law', label: '公婆/岳父母' }, { value: 'grandparent', label: '祖父母/外祖父母' }, { value: 'grandchild', label: '孙子女/外孙子女' }, { value: 'sibling', label: '兄弟姐妹' }, { value: 'child_in_law', label: '儿媳/女婿' }, { value: 'other', label: '其他' }],
  status: [{ value: 'alive', label: '健在' }, { value: 'deceased', label: '死亡' }],
  ethnicity: ['汉族', '回族', '蒙古族', '藏族', '维吾尔族', '苗族', '彝族', '壮族', '布依族', '朝鲜族', '满族', '侗族', '瑶族', '白族', '土家族', '其他', '外国血统中国籍人士'].map((v) => ({ value: v, label: v })),
  role: [{ value: 'sysadmin', label: '系统管理员' }, { value: 'county', label: '县级管理员' }, { value: 'township', label: '乡镇专干' }, { value: 'village', label: '村计生专干' }, { value: 'viewer', label: '只读' }],
  division_level: [{ value: 1, label: '省' }, { value: 2, label: '市' }, { value: 3, label: '县' }, { value: 4, label: '乡镇/街道' }, { value: 5, label: '村/居' }, { value: 6, label: '村民小组' }],
  audit_entity: [{ value: 'person', label: '人员' }, { value: 'household', label: '户' }, { value: 'user', label: '用户' }, { value: 'division', label: '区划' }, { value: 'system', label: '系统' }],
}
const LEVEL_NAMES = Object.fromEntries(ENUMS.division_level.map((l) => [l.value, l.label]))
const ROLE_NAMES = Object.fromEntries(ENUMS.role.map((r) => [r.value, r.label]))
const PERMS = {
  sysadmin: ['stats.read', 'users.manage', 'audit.read', 'division.manage'],
  county: ['stats.read', 'registry.read', 'registry.write', 'registry.unmask', 'users.manage', 'audit.read', 'division.manage'],
  township: ['stats.read', 'registry.read', 'registry.write', 'registry.unmask'],
  village: ['stats.read', 'registry.read', 'registry.write', 'registry.unmask'],
  viewer: ['stats.read', 'registry.read'],
}

const divisions = new Map()
function addDivision(code, name, level, parent) {
  divisions.set(code, { code, name, level, parent_code: parent || null })
}
addDivision('341523', '舒城县', 3, '341500')
addDivision('341523100', '城关镇', 4, '341523')
addDivision('341523100201', '东苑社区居委会', 5, '341523100')
addDivision('341523100202', '西苑社区居委会', 5, '341523100')
addDivision('341523101', '晓天镇', 4, '341523')
addDivision('341523101201', '晓天村委会', 5, '341523101')
addDivision('341523101202', '河口村委会', 5, '341523101')
addDivision('341523101201001', '第一村民组', 6, '341523101201')

const pathOf = (code) => {
  const parts = []
  for (let d = divisions.get(code); d; d = divisions.get(d.parent_code)) parts.unshift(d.code)
  return '/' + parts.join('/') + '/'
}
const inScope = (user, code) => !!code && pathOf(code).startsWith(pathOf(user.division))
const divName = (code) => {
  const d = divisions.get(code)
  if (!d) return null
  const parent = divisions.get(d.parent_code)
  return d.level >= 5 && parent ? `${parent.name} ${d.name}` : d.name
}

function divisionJSON(code, user) {
  const d = divisions.get(code)
  const ancestors = []
  for (let p = divisions.get(d.parent_code); p; p = divisions.get(p.parent_code)) {
    if (inScope(user, p.code)) ancestors.unshift({ code: p.code, name: p.name, level: p.level })
  }
  return {
    code: d.code, name: d.name, level: d.level, level_name: LEVEL_NAMES[d.level], parent_code: d.parent_code,
    has_children: [...divisions.values()].some((c) => c.parent_code === d.code), ancestors,
  }
}

const salt = 'mock'
const hashPw = (pw) => createHash('sha256').update(salt + pw).digest('hex')
let nextUserId = 1
const users = []
function addUser(username, display_name, role, division, extra = {}) {
  users.push({
    id: nextUserId++, username, display_name, role, division, status: 'active', locked_until: null,
    last_login_at: null, version: 1, pw: hashPw(PASSWORD), failures: 0, must_change_password: false, ...extra,
  })
}
addUser('admin', '系统管理员', 'sysadmin', '341523', { must_change_password: true })
addUser('county1', '县卫健委 李主任', 'county', '341523')
addUser('township1', '城关镇 计生办', 'township', '341523100')
addUser('village1', '东苑社区 王专干', 'village', '341523100201')
addUser('viewer1', '县领导', 'viewer', '341523')

const persons = []
const households = []
let nextPersonId = 1
let nextHouseholdId = 1

function makeId(birth, seq, sex) {
  let s = seq
  if ((s % 2 === 1) !== (sex === 'male')) s += 1
  const first17 = '341523' + birth.replaceAll('-', '') + String(s % 1000).padStart(3, '0')
  return first17 + checkChar(first17)
}

function addHousehold(division, address) {
  const n = households.filter((h) => h.division === division).length + 1
  const h = { id: nextHouseholdId++, hh_no: `${division}-${String(n).padStart(4, '0')}`, division, address, version: 1 }
  households.push(h)
  return h
}

// A household as the API lists it: the head's name ('' when none) and the
// number of living members.
function householdJSON(h) {
  const members = persons.filter((x) => x.household_id === h.id)
  const heads = members.filter((x) => x.relation === 'head').sort((a, b) => (a.status === 'alive' ? -1 : 0) - (b.status === 'alive' ? -1 : 0))
  return {
    ...h,
    division_name: divName(h.division),
    head: heads[0]?.name || '',
    member_count: members.filter((x) => x.status === 'alive').length,
  }
}

function addPerson(p) {
  const now = new Date().toISOString()
  const rec = {
    id: nextPersonId++, phone: null, ethnicity: '汉族', hukou_type: 'agricultural', marital_status: 'first_married',
    residence_division: p.registered_division, household_id: null, relation: null, mother_id: null, father_id: null,
    status: 'alive', death_date: null, version: 1, created_at: now, updated_at: now, ...p,
  }
  persons.push(rec)
  return rec
}

// A few families in each village.
const FAMILIES = [
  ['张', '建国', '秀英', ['伟', '丽']],
  ['王', '志强', '桂兰', ['磊']],
  ['李', '德明', '玉梅', ['静', '杰', '婷']],
  ['刘', '国庆', '凤英', ['洋']],
  ['陈', '建华', '淑珍', ['敏', '强']],
  ['杨', '永福', '春花', ['勇']],
]
let seq = 101
const villages = [...divisions.values()].filter((d) => d.level === 5)
villages.forEach((v, vi) => {
  FAMILIES.forEach(([surname, husband, wife, kids], fi) => {
    if ((vi + fi) % 2 === 1 && fi > 3) return
    const hh = addHousehold(v.code, `${v.name}${fi + 1}组${10 + fi}号`)
    const y = 1960 + ((vi * 7 + fi * 5) % 25)
    const hb = `${y}-0${1 + (fi % 9)}-1${fi % 9}`
    const wb = `${y + 2}-1${fi % 3}-0${1 + (vi % 9)}`
    const h = addPerson({
      name: surname + husband, sex: 'male', birth_date: hb, id_number: makeId(hb, seq++, 'male'),
      phone: `139${String(10000000 + seq * 7919).slice(0, 8)}`, registered_division: v.code, household_id: hh.id, relation: 'head',
    })
    const w = addPerson({
      name: (fi % 2 ? '赵' : '孙') + wife, sex: 'female', birth_date: wb, id_number: makeId(wb, seq++, 'female'),
      registered_division: v.code, household_id: hh.id, relation: 'spouse',
      residence_division: fi === 2 ? villages[(vi + 1) % villages.length].code : v.code,
    })
    kids.forEach((k, ki) => {
      const sex = ki % 2 ? 'female' : 'male'
      const kb = `${y + 26 + ki * 3}-0${1 + ki}-2${ki}`
      addPerson({
        name: surname + k, sex, birth_date: kb, id_number: makeId(kb, seq++, sex), marital_status: 'unmarried',
        registered_division: v.code, household_id: hh.id, relation: 'child', mother_id: w.id, father_id: h.id,
      })
    })
    if (fi === 5) Object.assign(h, { status: 'deceased', death_date: '2024-05-01' })
  })
})

// The audit journal, a hash chain.
const audit = []
function record(user, action, action_name, entity, entity_id, before, after, remark = '', ip = '127.0.0.1') {
  const prev = audit.length ? audit[audit.length - 1].hash : ''
  const e = {
    seq: audit.length + 1, at: new Date().toISOString(), username: user?.username || '', role: user?.role || '',
    division_code: user?.division || '', action, action_name, entity, entity_id: entity_id == null ? '' : String(entity_id),
    before, after, remark, ip,
  }
  e.hash = createHash('sha256').update(prev + JSON.stringify(e)).digest('hex')
  audit.push(e)
}

// ---------------------------------------------------------------- helpers

const sessions = new Map() // token → user id

class HttpError extends Error {
  constructor(status, code, message, field) {
    super(message)
    Object.assign(this, { status, code, field })
  }
}
const invalid = (message, field) => new HttpError(400, 'invalid', message, field)
const notFound = (message = '记录不存在') => new HttpError(404, 'not_found', message)

const maskId = (s) => (s ? s.slice(0, 6) + '*'.repeat(s.length - 10) + s.slice(-4) : null)
const maskPhone = (s) => (s ? s.slice(0, 3) + '****' + s.slice(-4) : null)

function ageOf(birth) {
  if (!birth) return null
  const now = new Date()
  const [y, m, d] = birth.split('-').map(Number)
  let a = now.getFullYear() - y
  if ((now.getMonth() + 1) * 100 + now.getDate() < m * 100 + d) a--
  return a
}

function personJSON(p, detail = false) {
  const hh = households.find((h) => h.id === p.household_id)
  const mother = persons.find((x) => x.id === p.mother_id)
  const father = persons.find((x) => x.id === p.father_id)
  const out = {
    ...p, id_number: maskId(p.id_number), phone: maskPhone(p.phone),
    registered_division_name: divName(p.registered_division), residence_division_name: divName(p.residence_division),
    household_no: hh?.hh_no || null, mother_name: mother?.name || null, father_name: father?.name || null,
    birth_order: null, age: ageOf(p.birth_date),
  }
  const mom = mother
  if (mom) {
    const sibs = persons.filter((x) => x.mother_id === mom.id).sort((a, b) => a.birth_date.localeCompare(b.birth_date))
    out.birth_order = sibs.findIndex((x) => x.id === p.id) + 1
  }
  if (detail) {
    const kids = persons
      .filter((x) => x.mother_id === p.id || x.father_id === p.id)
      .sort((a, b) => a.birth_date.localeCompare(b.birth_date))
    out.children = kids.map((k, i) => ({ id: k.id, name: k.name, sex: k.sex, birth_date: k.birth_date, birth_order: i + 1 }))
  }
  return out
}

function userJSON(u) {
  return {
    id: u.id, username: u.username, display_name: u.display_name, role: u.role, role_name: ROLE_NAMES[u.role],
    division: u.division, division_name: divName(u.division), status: u.status, locked_until: u.locked_until,
    last_login_at: u.last_login_at, version: u.version,
  }
}

function me(u) {
  const d = divisions.get(u.division)
  return {
    id: u.id, username: u.username, display_name: u.display_name, role: u.role, role_name: ROLE_NAMES[u.role],
    division: { code: d.code, name: d.name, level: d.level }, permissions: PERMS[u.role],
    must_change_password: u.must_change_password,
  }
}

function page(list, q) {
  const p = Math.max(1, parseInt(q.get('page'), 10) || 1)
  const size = Math.min(100, Math.max(1, parseInt(q.get('size'), 10) || 20))
  return { items: list.slice((p - 1) * size, p * size), total: list.length }
}

function passwordProblem(pw) {
  if (!pw || pw.length < 8) return '密码至少8位'
  const n = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length
  return n < 3 ? '密码须包含小写字母、大写字母、数字、符号中的至少3种' : ''
}

function validId(s) {
  if (!/^\d{17}[\dX]$/.test(s)) return false
  return checkChar(s.slice(0, 17)) === s[17]
}

const today = () => new Date().toISOString().slice(0, 10)

function checkPerson(body, user, old) {
  const b = { ...body }
  if (!b.name || !String(b.name).trim()) throw invalid('请输入姓名', 'name')
  if (old && b.id_number === maskId(old.id_number)) b.id_number = old.id_number
  if (old && b.phone === maskPhone(old.phone)) b.phone = old.phone
  const warnings = []
  if (b.id_number) {
    b.id_number = String(b.id_number).toUpperCase()
    if (b.id_number.length === 15) {
      const f = b.id_number.slice(0, 6) + '19' + b.id_number.slice(6)
      b.id_number = f + checkChar(f)
    }
    if (!validId(b.id_number)) throw invalid('公民身份号码校验不通过', 'id_number')
    const dup = persons.find((p) => p.id_number === b.id_number && p.id !== old?.id)
    if (dup) throw new HttpError(409, 'conflict', '该公民身份号码已登记', 'id_number')
    const idBirth = `${b.id_number.slice(6, 10)}-${b.id_number.slice(10, 12)}-${b.id_number.slice(12, 14)}`
    const idSex = Number(b.id_number[16]) % 2 ? 'male' : 'female'
    if (!b.birth_date) b.birth_date = idBirth
    else if (b.birth_date !== idBirth) warnings.push(`出生日期与公民身份号码不一致（号码中为 ${idBirth}）`)
    if (!b.sex) b.sex = idSex
    else if (b.sex !== idSex) warnings.push('性别与公民身份号码不一致')
  }
  if (!b.sex) throw invalid('请选择性别', 'sex')
  if (!b.birth_date) throw invalid('请填写出生日期', 'birth_date')
  if (b.birth_date > today()) throw invalid('出生日期不能晚于今天', 'birth_date')
  if (b.phone && !/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$/.test(b.phone)) throw invalid('联系电话格式不正确', 'phone')
  if (!b.registered_division) throw invalid('请选择户籍地', 'registered_division')
  for (const f of ['registered_division', 'residence_division']) {
    if (b[f] && (!divisions.has(b[f]) || !inScope(user, b[f]))) throw invalid('区划不在您的管辖范围内', f)
  }
  if (!b.residence_division) b.residence_division = b.registered_division
  if (b.status === 'deceased' && !b.death_date) throw invalid('请填写死亡日期', 'death_date')
  const keep = ['name', 'sex', 'birth_date', 'id_number', 'phone', 'ethnicity', 'hukou_type', 'marital_status', 'registered_division', 'residence_division', 'household_id', 'relation', 'mother_id', 'father_id', 'status', 'death_date']
  return { rec: Object.fromEntries(keep.map((k) => [k, b[k] ?? null])), warnings }
}

const personScope = (user, p) => inScope(user, p.registered_division) || inScope(user, p.residence_division)
const auditPerson = (p) => p && { ...p, id_number: maskId(p.id_number), phone: maskPhone(p.phone) }

// ---------------------------------------------------------------- routes

async function api(req, res, url, body) {
  const m = req.method
  const p = url.pathname
  const q = url.searchParams
  const token = /(?:^|;\s*)jisheng_session=([^;]+)/.exec(req.headers.cookie || '')?.[1]
  const user = users.find((u) => u.id === sessions.get(token))

  if (m === 'GET' && p === '/api/v1/meta/enums') return [200, ENUMS]

  if (m === 'POST' && p === '/api/v1/login') {
    const u = users.find((x) => x.username === body?.username)
    if (u?.locked_until && new Date(u.locked_until) > new Date()) {
      const t = new Date(u.locked_until).toLocaleTimeString('zh-CN', { hour12: false })
      throw new HttpError(423, 'locked', `密码错误次数过多，账号已锁定，请于 ${t} 后再试`)
    }
    if (!u || u.pw !== hashPw(body?.password || '') || u.status !== 'active') {
      if (u) {
        u.failures++
        if (u.failures >= 5) {
          u.locked_until = new Date(Date.now() + 15 * 60000).toISOString()
          u.failures = 0
        }
      }
      record(u, 'session.login_failed', '登录失败', 'session', null, null, null, body?.username || '')
      throw new HttpError(401, 'unauthorized', '用户名或密码错误')
    }
    u.failures = 0
    u.last_login_at = new Date().toISOString()
    const t = randomBytes(16).toString('hex')
    sessions.set(t, u.id)
    record(u, 'session.login', '登录', 'session', null, null, null)
    return [200, { user: me(u) }, { 'Set-Cookie': `jisheng_session=${t}; Path=/; HttpOnly; SameSite=Lax` }]
  }
  if (m === 'POST' && p === '/api/v1/logout') {
    sessions.delete(token)
    return [204, null, { 'Set-Cookie': 'jisheng_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax' }]
  }

  if (!user) throw new HttpError(401, 'unauthorized', '请先登录')
  const need = (perm) => {
    if (!PERMS[user.role].includes(perm)) throw new HttpError(403, 'forbidden', '没有权限执行此操作')
  }

  if (m === 'GET' && p === '/api/v1/me') return [200, me(user)]
  if (m === 'POST' && p === '/api/v1/me/password') {
    if (user.pw !== hashPw(body?.old_password || '')) throw invalid('当前密码不正确', 'old_password')
    const pr = passwordProblem(body?.new_password)
    if (pr) throw invalid(pr, 'new_password')
    user.pw = hashPw(body.new_password)
    user.must_change_password = false
    record(user, 'user.password', '修改密码', 'user', user.id, null, null)
    return [204, null]
  }

  if (m === 'GET' && p === '/api/v1/stats/overview') {
    need('stats.read')
    const code = q.get('division') || user.division
    if (!divisions.has(code) || !inScope(user, code)) throw notFound('区划不存在')
    const count = (c) => {
      const under = (x) => x && pathOf(x).startsWith(pathOf(c))
      const ps = persons.filter((x) => under(x.registered_division) || under(x.residence_division))
      return {
        persons: ps.filter((x) => x.status === 'alive').length,
        households: households.filter((h) => under(h.division)).length,
        male: ps.filter((x) => x.status === 'alive' && x.sex === 'male').length,
        female: ps.filter((x) => x.status === 'alive' && x.sex === 'female').length,
        deceased: ps.filter((x) => x.status === 'deceased').length,
        living_away: ps.filter((x) => x.status === 'alive' && x.residence_division !== x.registered_division).length,
      }
    }
    const d = divisions.get(code)
    const children = [...divisions.values()]
      .filter((c) => c.parent_code === code)
      .map((c) => ({ code: c.code, name: c.name, level: c.level, persons: count(c.code).persons, households: count(c.code).households }))
    return [200, { division: { code: d.code, name: d.name, level: d.level }, ...count(code), children }]
  }

  let mm
  if (m === 'GET' && (mm = /^\/api\/v1\/divisions\/(\d+)(\/children)?$/.exec(p))) {
    const code = mm[1]
    if (!divisions.has(code) || !inScope(user, code)) throw notFound('区划不存在')
    if (!mm[2]) return [200, divisionJSON(code, user)]
    const items = [...divisions.values()].filter((c) => c.parent_code === code).map((c) => divisionJSON(c.code, user))
    return [200, { items, total: items.length }]
  }
  if (m === 'POST' && (mm = /^\/api\/v1\/divisions\/(\d+)\/groups$/.exec(p))) {
    need('division.manage')
    const code = mm[1]
    if (!divisions.has(code) || !inScope(user, code)) throw notFound('区划不存在或不在您的管辖范围内')
    const village = divisions.get(code)
    if (village.level !== 5) throw invalid('村民小组只能添加在村（居）委会下', 'parent_code')
    const name = String(body?.name || '').trim()
    if (!name) throw invalid('请填写村民小组名称', 'name')
    if ([...name].length > 50) throw invalid('村民小组名称不能超过50个字', 'name')
    const groups = [...divisions.values()].filter((c) => c.parent_code === code)
    if (groups.some((g) => g.name === name)) throw new HttpError(409, 'conflict', `${village.name}已有名为“${name}”的村民小组`, 'name')
    const last = Math.max(0, ...groups.map((g) => Number(g.code.slice(code.length))))
    const g = code + String(last + 1).padStart(3, '0')
    addDivision(g, name, 6, code)
    record(user, 'division.group_add', '新增村民小组', 'division', g, null, { code: g, name, parent_code: code })
    return [201, divisionJSON(g, user)]
  }

  if (p === '/api/v1/persons' && m === 'GET') {
    need('registry.read')
    let list = persons.filter((x) => personScope(user, x))
    const div = q.get('division')
    if (div) {
      if (!divisions.has(div)) throw invalid(`区划代码 ${div} 不存在`, 'division')
      if (!inScope(user, div)) throw invalid(`区划 ${div} 不在您的管辖范围内`, 'division')
      const under = (c) => c && pathOf(c).startsWith(pathOf(div))
      list = list.filter((x) => under(x.registered_division) || under(x.residence_division))
    }
    if (q.get('q')) list = list.filter((x) => x.name.startsWith(q.get('q')))
    if (q.get('id_number')) {
      let id = q.get('id_number').toUpperCase()
      if (id.length === 15) id = id.slice(0, 6) + '19' + id.slice(6) + checkChar(id.slice(0, 6) + '19' + id.slice(6))
      list = list.filter((x) => x.id_number === id)
    }
    const r = page(list, q)
    return [200, { items: r.items.map((x) => personJSON(x)), total: r.total }]
  }
  if (p === '/api/v1/persons' && m === 'POST') {
    need('registry.write')
    const { rec, warnings } = checkPerson(body || {}, user, null)
    const now = new Date().toISOString()
    const pr = addPerson({ ...rec, created_at: now, updated_at: now })
    record(user, 'person.create', '新增人员', 'person', pr.id, null, auditPerson(pr))
    return [201, { ...personJSON(pr, true), warnings }]
  }
  if ((mm = /^\/api\/v1\/persons\/(\d+)(\/sensitive)?$/.exec(p))) {
    need('registry.read')
    const pr = persons.find((x) => x.id === Number(mm[1]))
    if (!pr || !personScope(user, pr)) throw notFound('人员不存在')
    if (mm[2] && m === 'GET') {
      need('registry.unmask')
      record(user, 'person.unmask', '查看完整号码', 'person', pr.id, null, null)
      return [200, { id_number: pr.id_number, phone: pr.phone }]
    }
    if (m === 'GET') return [200, personJSON(pr, true)]
    if (m === 'PUT') {
      need('registry.write')
      if (body?.version !== pr.version) throw new HttpError(409, 'conflict', '记录已被修改')
      const before = auditPerson({ ...pr })
      const { rec, warnings } = checkPerson(body, user, pr)
      Object.assign(pr, rec, { version: pr.version + 1, updated_at: new Date().toISOString() })
      record(user, 'person.update', '修改人员', 'person', pr.id, before, auditPerson(pr))
      return [200, { ...personJSON(pr, true), warnings }]
    }
  }

  if (p === '/api/v1/households' && m === 'GET') {
    need('registry.read')
    let list = households.filter((h) => inScope(user, h.division))
    const div = q.get('division')
    if (div && !divisions.has(div)) throw invalid(`区划代码 ${div} 不存在`, 'division')
    if (div && !inScope(user, div)) throw invalid(`区划 ${div} 不在您的管辖范围内`, 'division')
    if (q.get('division')) list = list.filter((h) => pathOf(h.division).startsWith(pathOf(q.get('division'))))
    if (q.get('q')) list = list.filter((h) => h.hh_no.startsWith(q.get('q')))
    const r = page(list, q)
    return [200, { items: r.items.map(householdJSON), total: r.total }]
  }
  if (p === '/api/v1/households' && m === 'POST') {
    need('registry.write')
    if (!body?.division || !inScope(user, body.division)) throw invalid('请选择户所在的村/居', 'division')
    const h = addHousehold(body.division, body.address || '')
    record(user, 'household.create', '新建户', 'household', h.id, null, h)
    return [201, { ...householdJSON(h), members: [] }]
  }
  if ((mm = /^\/api\/v1\/households\/(\d+)$/.exec(p))) {
    need('registry.read')
    const h = households.find((x) => x.id === Number(mm[1]))
    if (!h || !inScope(user, h.division)) throw notFound('户不存在')
    if (m === 'PUT') {
      need('registry.write')
      if (body?.version !== h.version) throw new HttpError(409, 'conflict', '记录已被修改')
      const before = { ...h }
      Object.assign(h, { address: body.address || '', version: h.version + 1 })
      record(user, 'household.update', '修改户', 'household', h.id, before, { ...h })
    }
    const members = persons
      .filter((x) => x.household_id === h.id)
      .map((x) => ({ id: x.id, name: x.name, sex: x.sex, birth_date: x.birth_date, relation: x.relation, id_number: maskId(x.id_number), status: x.status }))
    return [200, { ...householdJSON(h), members }]
  }

  if (p === '/api/v1/users' && m === 'GET') {
    need('users.manage')
    let list = users.filter((u) => inScope(user, u.division))
    const t = q.get('q')
    if (t) list = list.filter((u) => u.username.includes(t) || u.display_name.includes(t))
    const r = page(list, q)
    return [200, { items: r.items.map(userJSON), total: r.total }]
  }
  if (p === '/api/v1/users' && m === 'POST') {
    need('users.manage')
    const b = body || {}
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,31}$/.test(b.username || '')) throw invalid('用户名格式不正确', 'username')
    if (users.some((u) => u.username === b.username)) throw new HttpError(409, 'conflict', '用户名已存在', 'username')
    if (!ROLE_NAMES[b.role]) throw invalid('请选择角色', 'role')
    if (!divisions.has(b.division) || !inScope(user, b.division)) throw invalid('区划不在您的管辖范围内', 'division')
    const pr = passwordProblem(b.password)
    if (pr) throw invalid(pr, 'password')
    addUser(b.username, b.display_name, b.role, b.division, { must_change_password: true, pw: hashPw(b.password) })
    const u = users[users.length - 1]
    record(user, 'user.create', '新增用户', 'user', u.id, null, userJSON(u))
    return [201, userJSON(u)]
  }
  if ((mm = /^\/api\/v1\/users\/(\d+)(\/password|\/unlock)?$/.exec(p))) {
    need('users.manage')
    const u = users.find((x) => x.id === Number(mm[1]))
    if (!u || !inScope(user, u.division)) throw notFound('用户不存在')
    if (m === 'POST' && mm[2] === '/password') {
      const pr = passwordProblem(body?.password)
      if (pr) throw invalid(pr, 'password')
      Object.assign(u, { pw: hashPw(body.password), must_change_password: true })
      record(user, 'user.reset_password', '重置密码', 'user', u.id, null, null)
      return [204, null]
    }
    if (m === 'POST' && mm[2] === '/unlock') {
      Object.assign(u, { locked_until: null, failures: 0 })
      record(user, 'user.unlock', '解除锁定', 'user', u.id, null, null)
      return [204, null]
    }
    if (m === 'PUT' && !mm[2]) {
      if (body?.version !== u.version) throw new HttpError(409, 'conflict', '记录已被修改')
      if (!divisions.has(body.division) || !inScope(user, body.division)) throw invalid('区划不在您的管辖范围内', 'division')
      const before = userJSON(u)
      Object.assign(u, { display_name: body.display_name, role: body.role, division: body.division, status: body.status, version: u.version + 1 })
      record(user, 'user.update', '修改用户', 'user', u.id, before, userJSON(u))
      return [200, userJSON(u)]
    }
  }

  if (p === '/api/v1/audit' && m === 'GET') {
    need('audit.read')
    let list = [...audit].reverse()
    if (q.get('user')) list = list.filter((e) => e.username === q.get('user'))
    if (q.get('entity')) list = list.filter((e) => e.entity === q.get('entity'))
    if (q.get('entity_id')) list = list.filter((e) => e.entity_id === q.get('entity_id'))
    if (q.get('from')) list = list.filter((e) => e.at.slice(0, 10) >= q.get('from'))
    if (q.get('to')) list = list.filter((e) => e.at.slice(0, 10) <= q.get('to'))
    const r = page(list, q)
    return [200, { items: r.items.map(({ hash, ...e }) => e), total: r.total }]
  }
  if (p === '/api/v1/audit/verify' && m === 'GET') {
    need('audit.read')
    let prev = ''
    for (const e of audit) {
      const { hash, ...rest } = e
      if (createHash('sha256').update(prev + JSON.stringify(rest)).digest('hex') !== hash) {
        return [200, { ok: false, checked: e.seq, broken_seq: e.seq, reason: '哈希值不匹配' }]
      }
      prev = hash
    }
    return [200, { ok: true, checked: audit.length }]
  }

  throw notFound('接口不存在')
}

// ---------------------------------------------------------------- server

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.png': 'image/png', '.ico': 'image/x-icon' }

async function serveStatic(res, pathname) {
  let file = path.join(DIST, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ''))
  if (!file.startsWith(DIST)) file = path.join(DIST, 'index.html')
  try {
    if (!(await stat(file)).isFile()) throw new Error('dir')
  } catch {
    if (pathname.startsWith('/assets/')) {
      res.writeHead(404).end('not found')
      return
    }
    file = path.join(DIST, 'index.html') // SPA fallback
  }
  try {
    const data = await readFile(file)
    const immutable = pathname.startsWith('/assets/')
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    })
    res.end(data)
  } catch {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('web/dist 不存在：请先运行 npm run build')
  }
}

const delay = Number(process.env.MOCK_DELAY_MS || 0) // simulate a slow village network

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host || 'localhost'}`)
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}')
    return
  }
  if (!url.pathname.startsWith('/api/')) return serveStatic(res, url.pathname)
  if (delay) await new Promise((r) => setTimeout(r, delay))
  let raw = ''
  for await (const chunk of req) raw += chunk
  try {
    let body
    if (raw) {
      try {
        body = JSON.parse(raw)
      } catch {
        throw invalid('请求内容不是有效的 JSON')
      }
    }
    if (req.method !== 'GET' && req.headers['sec-fetch-site'] && !['same-origin', 'none'].includes(req.headers['sec-fetch-site'])) {
      throw new HttpError(403, 'forbidden', '跨站请求被拒绝')
    }
    const [status, json, headers = {}] = await api(req, res, url, body)
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers })
    res.end(status === 204 ? undefined : JSON.stringify(json))
  } catch (e) {
    const err = e instanceof HttpError ? e : new HttpError(500, 'internal', '系统内部错误')
    if (!(e instanceof HttpError)) console.error(e)
    const rid = randomBytes(4).toString('hex')
    res.writeHead(err.status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
    res.end(JSON.stringify({ error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), request_id: rid } }))
  }
})

server.listen(PORT, HOST, () => {
  console.log(`jisheng mock server: http://${HOST}:${PORT}  (accounts county1 / village1 / viewer1 / admin, password ${PASSWORD})`)
})
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)))

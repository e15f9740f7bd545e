// Chinese names of record fields, for the audit diff and error messages.
export const FIELD_LABELS = {
  id: '编号',
  name: '姓名',
  sex: '性别',
  birth_date: '出生日期',
  id_number: '公民身份号码',
  phone: '联系电话',
  ethnicity: '民族',
  hukou_type: '户口性质',
  marital_status: '婚姻状况',
  registered_division: '户籍地',
  residence_division: '现居住地',
  household_id: '所在户',
  relation: '与户主关系',
  mother_id: '母亲',
  father_id: '父亲',
  status: '状态',
  death_date: '死亡日期',
  version: '版本',
  hh_no: '户号',
  division: '区划',
  address: '住址',
  username: '用户名',
  display_name: '姓名',
  role: '角色',
  locked_until: '锁定至',
  created_at: '创建时间',
  updated_at: '修改时间',
}

/** Which enumeration a field's values come from, for labels. */
export const FIELD_ENUMS = {
  sex: 'sex',
  hukou_type: 'hukou_type',
  marital_status: 'marital_status',
  relation: 'relation',
  role: 'role',
}

export function fieldLabel(key) {
  return FIELD_LABELS[key] || key
}

// The six counts of an area shown as cards on the home page and in 区划管理,
// from a GET /api/v1/stats/overview answer.
export function overviewCards(d = {}) {
  return [
    { key: 'persons', label: '人口', value: d.persons, unit: '人' },
    { key: 'households', label: '户数', value: d.households, unit: '户' },
    { key: 'male', label: '男', value: d.male, unit: '人' },
    { key: 'female', label: '女', value: d.female, unit: '人' },
    { key: 'deceased', label: '死亡', value: d.deceased, unit: '人' },
    { key: 'living_away', label: '人户分离', value: d.living_away, unit: '人' },
  ]
}

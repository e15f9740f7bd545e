// Routes and guards. Each route names the permission it needs beside it, like
// the server's route table; views load on demand to keep the first load small.
import { createRouter, createWebHistory } from 'vue-router'
import { setUnauthorizedHandler } from './api/client.js'
import { session, ensureSession, can, clearSession } from './session.js'
import { safeRedirect } from './utils/nav.js'

const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/auth/LoginView.vue'),
    meta: { public: true, title: '登录' },
  },
  {
    path: '/error',
    name: 'error',
    component: () => import('./views/error/ErrorView.vue'),
    meta: { public: true, title: '出错了' },
  },
  {
    // A posting's public page: anyone may read it, without the app's frame.
    path: '/public/postings/:code',
    name: 'public-posting',
    component: () => import('./views/benefit/PublicPosting.vue'),
    meta: { public: true, title: '公示' },
  },
  {
    // The public check of a notice's verification code, opened from its QR code.
    path: '/public/notices/:code?',
    name: 'public-notice',
    component: () => import('./views/benefit/VerifyNotice.vue'),
    meta: { public: true, title: '通知核验' },
  },
  {
    path: '/',
    component: () => import('./layout/AppLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/home/HomeView.vue'), meta: { title: '首页' } },
      {
        path: 'persons',
        name: 'persons',
        component: () => import('./views/registry/PersonList.vue'),
        meta: { title: '人员', perm: 'registry.read' },
      },
      {
        path: 'persons/new',
        name: 'person-new',
        component: () => import('./views/registry/PersonForm.vue'),
        meta: { title: '新增人员', perm: 'registry.write' },
      },
      {
        path: 'persons/:id(\\d+)',
        name: 'person',
        component: () => import('./views/registry/PersonDetail.vue'),
        meta: { title: '人员详情', perm: 'registry.read' },
      },
      {
        path: 'persons/:id(\\d+)/edit',
        name: 'person-edit',
        component: () => import('./views/registry/PersonForm.vue'),
        meta: { title: '编辑人员', perm: 'registry.write' },
      },
      {
        path: 'import',
        name: 'import',
        component: () => import('./views/importer/ImportView.vue'),
        meta: { title: '数据导入', perm: 'registry.write' },
      },
      {
        path: 'households',
        name: 'households',
        component: () => import('./views/registry/HouseholdList.vue'),
        meta: { title: '家庭户', perm: 'registry.read' },
      },
      {
        path: 'households/:id(\\d+)',
        name: 'household',
        component: () => import('./views/registry/HouseholdView.vue'),
        meta: { title: '户详情', perm: 'registry.read' },
      },
      {
        path: 'separation',
        name: 'separation',
        component: () => import('./views/registry/SeparationList.vue'),
        meta: { title: '人户分离', perm: 'registry.read' },
      },
      {
        path: 'floating',
        name: 'floating',
        component: () => import('./views/floating/FloatingList.vue'),
        meta: { title: '流动人口', perm: 'registry.read' },
      },
      {
        path: 'floating/:id(\\d+)',
        name: 'floating-entry',
        component: () => import('./views/floating/FloatingDetail.vue'),
        meta: { title: '流动人口登记', perm: 'registry.read' },
      },
      {
        path: 'floating/exchange',
        name: 'floating-exchange',
        component: () => import('./views/floating/ExchangeView.vue'),
        meta: { title: '流动人口跨县交换', perm: 'registry.write' },
      },
      {
        path: 'worklist',
        name: 'worklist',
        component: () => import('./views/health/WorkList.vue'),
        meta: { title: '随访工作', perm: 'health.read' },
      },
      {
        path: 'health',
        name: 'health',
        component: () => import('./views/health/HealthView.vue'),
        meta: { title: '健康服务', perm: 'health.read' },
      },
      {
        path: 'health/cases/:id(\\d+)',
        name: 'health-case',
        component: () => import('./views/health/CaseDetail.vue'),
        meta: { title: '服务个案', perm: 'health.read' },
      },
      {
        path: 'health/cases/:id(\\d+)/print',
        name: 'health-print',
        component: () => import('./views/health/RegistrationPrint.vue'),
        meta: { title: '生育登记服务单', perm: 'health.read' },
      },
      {
        path: 'health/card',
        name: 'health-card',
        component: () => import('./views/health/CardLookup.vue'),
        meta: { title: '服务卡查询', perm: 'health.read' },
      },
      {
        path: 'appointments',
        name: 'appointments',
        component: () => import('./views/appointment/AppointmentView.vue'),
        meta: { title: '预约服务', perm: 'health.write' },
      },
      {
        path: 'supply',
        name: 'supply',
        component: () => import('./views/supply/SupplyView.vue'),
        meta: { title: '药具管理', perm: 'supply.manage' },
      },
      {
        path: 'benefit',
        name: 'benefit',
        component: () => import('./views/benefit/BenefitHome.vue'),
        meta: { title: '待遇发放', perm: 'benefit.read' },
      },
      {
        path: 'benefit/candidates/:id(\\d+)',
        name: 'benefit-candidate',
        component: () => import('./views/benefit/CandidateDetail.vue'),
        meta: { title: '待遇对象', perm: 'benefit.read' },
      },
      {
        path: 'benefit/programs',
        name: 'benefit-programs',
        component: () => import('./views/benefit/Programs.vue'),
        meta: { title: '待遇项目与参数', perm: 'benefit.read' },
      },
      {
        path: 'benefit/postings',
        name: 'benefit-postings',
        component: () => import('./views/benefit/Postings.vue'),
        meta: { title: '公示', perm: 'benefit.read' },
      },
      {
        path: 'benefit/postings/:id(\\d+)',
        name: 'benefit-posting',
        component: () => import('./views/benefit/PostingDetail.vue'),
        meta: { title: '公示详情', perm: 'benefit.read' },
      },
      {
        path: 'benefit/notices',
        name: 'benefit-notices',
        component: () => import('./views/benefit/Notices.vue'),
        meta: { title: '书面通知', perm: 'benefit.write' },
      },
      {
        path: 'benefit/payroll',
        name: 'benefit-payroll',
        component: () => import('./views/benefit/Payroll.vue'),
        meta: { title: '发放批次', perm: 'benefit.read' },
      },
      {
        path: 'quality',
        name: 'quality',
        component: () => import('./views/quality/QualityView.vue'),
        meta: { title: '数据质量', perm: 'stats.read' },
      },
      {
        path: 'quality/ranking',
        name: 'quality-ranking',
        component: () => import('./views/quality/QualityRanking.vue'),
        meta: { title: '数据质量排名', perm: 'stats.read' },
      },
      {
        path: 'stats/report',
        name: 'stats-report',
        component: () => import('./views/stats/StatsReport.vue'),
        meta: { title: '统计报表', perm: 'stats.read' },
      },
      {
        // Period reports filed upward: the status board of a period.
        path: 'stats/filings',
        name: 'stats-filings',
        component: () => import('./views/stats/FilingBoard.vue'),
        meta: { title: '报表上报', perm: 'stats.read' },
      },
      {
        path: 'stats/filings/:id(\\d+)',
        name: 'stats-filing',
        component: () => import('./views/stats/FilingDetail.vue'),
        meta: { title: '上报报表', perm: 'stats.read' },
      },
      {
        // The records behind a figure of the report: persons, so registry.read.
        path: 'stats/records',
        name: 'stats-records',
        component: () => import('./views/stats/StatsRecords.vue'),
        meta: { title: '统计名单', perm: 'registry.read' },
      },
      {
        path: 'stats/dashboard',
        name: 'stats-dashboard',
        component: () => import('./views/stats/StatsDashboard.vue'),
        meta: { title: '统计分析', perm: 'stats.read' },
      },
      {
        path: 'divisions',
        name: 'divisions',
        component: () => import('./views/division/DivisionsView.vue'),
        meta: { title: '区划管理', perm: 'division.manage' },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('./views/users/UserList.vue'),
        meta: { title: '用户管理', perm: 'users.manage' },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('./views/audit/AuditLog.vue'),
        meta: { title: '审计日志', perm: 'audit.read' },
      },
      {
        path: '403',
        name: 'forbidden',
        component: () => import('./views/error/StatusView.vue'),
        props: { kind: 'forbidden' },
        meta: { title: '无权访问' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./views/error/StatusView.vue'),
        props: { kind: 'not-found' },
        meta: { title: '页面不存在' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior(to, from, saved) {
    if (saved) return saved
    if (to.path !== from.path) return { top: 0 }
    return false
  },
})

/** The route guard, exported for tests. */
export async function guard(to) {
  if (to.name === 'login') {
    // Already signed in: go where the user wanted (unless a password change is due).
    if (session.checked && session.me && !session.me.must_change_password) {
      return safeRedirect(to.query.redirect) || { name: 'home' }
    }
    return true
  }
  if (to.meta.public) return true
  let me
  try {
    me = await ensureSession()
  } catch (e) {
    return { name: 'error', query: { to: to.fullPath, msg: e.message } }
  }
  if (!me) return { name: 'login', query: { redirect: to.fullPath } }
  if (to.meta.perm && !can(to.meta.perm)) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
}

router.beforeEach(guard)

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 计生服务管理系统` : '计生服务管理系统'
})

// A 401 from any call: the session expired. Keep the route the user was on.
setUnauthorizedHandler(() => {
  const wasSignedIn = !!session.me
  clearSession()
  const cur = router.currentRoute.value
  if (cur.name === 'login') return
  router.replace({
    name: 'login',
    query: { redirect: cur.fullPath, ...(wasSignedIn ? { expired: '1' } : {}) },
  })
})

// After a new version is deployed the old chunk files are gone; load the page
// afresh once, otherwise show the error page.
router.onError((err, to) => {
  const msg = String(err?.message || '')
  if (/dynamically imported module|Importing a module script failed|Failed to fetch/i.test(msg)) {
    const key = 'jisheng.reload:' + to.fullPath
    if (!sessionStorage.getItem(key)) {
      sessionStorage.setItem(key, '1')
      window.location.assign(to.fullPath)
      return
    }
    sessionStorage.removeItem(key)
    router.replace({ name: 'error', query: { to: to.fullPath, msg: '页面加载失败，请检查网络后重试' } })
  }
})

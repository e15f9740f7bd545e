import { createApp } from 'vue'
import { provideGlobalConfig } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { router } from './router.js'
import { loadEnums } from './utils/enums.js'
import { setAppContext } from './utils/appContext.js'

const app = createApp(App)
// Message boxes opened from code render outside <ElConfigProvider>: give them
// the app context (see utils/notify.js) and the zh-CN locale too.
provideGlobalConfig({ locale: zhCn }, app, true)
setAppContext(app._context)
app.use(router)
// Labels are needed on almost every page; start loading them now. A failure
// is retried by the next view that needs them.
loadEnums().catch(() => {})
app.mount('#app')

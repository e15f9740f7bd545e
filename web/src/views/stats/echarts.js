// The parts of ECharts the statistics pages draw with, registered once.
// Importing from echarts/core and naming each chart and component keeps the
// rest of the library out of the bundle; only 统计分析 loads this module.
import * as echarts from 'echarts/core'
import { LineChart, BarChart } from 'echarts/charts'
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, CanvasRenderer])

export { echarts }

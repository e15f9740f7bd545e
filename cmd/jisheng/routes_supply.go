package main

import (
	"jisheng/internal/auth"
	"jisheng/internal/httpx"
	"jisheng/internal/supply"
)

// supplyRoutes are the supply endpoints of the route table. Stock is
// bookkeeping (supply.manage); who received what and which method they
// chose is health data (health.read to see, health.write to record), and
// every view of it is audited.
func supplyRoutes(a *app) []httpx.Route {
	h := supply.NewHandlers(a.supply)
	const (
		manage = auth.PermSupplyManage
		read   = auth.PermHealthRead
		write  = auth.PermHealthWrite
	)
	type list = httpx.List[supply.Item]
	return []httpx.Route{
		{Pattern: "GET /api/v1/supply/enums", Handler: h.ServeEnums, Summary: "药具管理枚举值（避孕方法、库点类型、流水类型）及中文名称", Tag: "supply", Out: supply.Enums{}},
		{Pattern: "GET /api/v1/supply/items", Perm: manage, Handler: h.Items, Summary: "药具目录", Tag: "supply", Out: list{}, Query: []string{"active"}},
		{Pattern: "POST /api/v1/supply/items", Perm: manage, Handler: h.CreateItem, Summary: "新增药具（县级）", Tag: "supply", In: supply.ItemInput{}, Out: supply.Item{}},
		{Pattern: "PUT /api/v1/supply/items/{id}", Perm: manage, Handler: h.UpdateItem, Summary: "修改药具（县级，须带 version）", Tag: "supply", In: supply.ItemInput{}, Out: supply.Item{}},
		{Pattern: "GET /api/v1/supply/sites", Perm: manage, Handler: h.Sites, Summary: "药具库点（服务站、村级药具室、自助发放机）", Tag: "supply", Out: httpx.List[supply.Site]{}, Query: []string{"division", "kind", "q", "active", "page", "size"}},
		{Pattern: "POST /api/v1/supply/sites", Perm: manage, Handler: h.CreateSite, Summary: "新增药具库点", Tag: "supply", In: supply.SiteInput{}, Out: supply.Site{}},
		{Pattern: "GET /api/v1/supply/sites/{id}", Perm: manage, Handler: h.GetSite, Summary: "药具库点详情", Tag: "supply", Out: supply.Site{}},
		{Pattern: "PUT /api/v1/supply/sites/{id}", Perm: manage, Handler: h.UpdateSite, Summary: "修改药具库点名称、机器编号或启停（须带 version）", Tag: "supply", In: supply.SiteInput{}, Out: supply.Site{}},
		{Pattern: "GET /api/v1/supply/stock", Perm: manage, Handler: h.Stock, Summary: "库存（按库点和批号，含效期状态）", Tag: "supply", Out: httpx.List[supply.StockRow]{}, Query: []string{"division", "site_id", "item_id", "status", "days", "empty", "page", "size"}},
		{Pattern: "GET /api/v1/supply/moves", Perm: manage, Handler: h.Moves, Summary: "药具流水（只增不改，不含领取人信息）", Tag: "supply", Out: httpx.List[supply.Move]{}, Query: []string{"site_id", "item_id", "kind", "source", "from", "to", "page", "size"}},
		{Pattern: "POST /api/v1/supply/receipts", Perm: manage, Handler: h.Receipt, Summary: "入库（上级配发或供应商）", Tag: "supply", In: supply.ReceiptInput{}, Out: supply.OpResult{}},
		{Pattern: "POST /api/v1/supply/transfers", Perm: manage, Handler: h.Transfer, Summary: "调拨/出库到下级库点（未指定批号时先到期先出）", Tag: "supply", In: supply.TransferInput{}, Out: supply.OpResult{}},
		{Pattern: "POST /api/v1/supply/stocktakes", Perm: manage, Handler: h.Stocktake, Summary: "盘点：按实盘数生成调整流水（有差异须填原因）", Tag: "supply", In: supply.StocktakeInput{}, Out: supply.OpResult{}},
		{Pattern: "POST /api/v1/supply/dispense", Perm: write, Handler: h.Dispense, Summary: "发放到人（记录知情选择的避孕方法）", Tag: "supply", In: supply.DispenseInput{}, Out: supply.OpResult{}},
		{Pattern: "POST /api/v1/supply/moves/{id}/reverse", Perm: manage, Handler: h.Reverse, Summary: "冲正一条流水（新增反向流水，原流水保留）", Tag: "supply", In: supply.ReverseInput{}, Out: supply.OpResult{}},
		{Pattern: "GET /api/v1/supply/machine-logs/template", Perm: manage, Handler: h.LogTemplate, Summary: "下载自助发放机日志模板（.xlsx 或 .csv）", Tag: "supply", Query: []string{"format"}},
		{Pattern: "POST /api/v1/supply/machine-logs/import", Perm: manage, Handler: h.ImportLog, Summary: "导入自助发放机日志：预检（dry_run=1）或导入（dry_run=0）；multipart，字段 file；重复导入自动跳过", Tag: "supply", Out: supply.LogReport{}, Query: []string{"dry_run"}},
		{Pattern: "GET /api/v1/supply/alerts", Perm: manage, Handler: h.Alerts, Summary: "低库存和近效期/已过期预警", Tag: "supply", Out: supply.Alerts{}, Query: []string{"division", "site_id", "days"}},
		{Pattern: "GET /api/v1/supply/persons/{id}/methods", Perm: read, Handler: h.PersonMethods, Summary: "个人避孕方法登记和药具发放记录（记入审计）", Tag: "supply", Out: supply.PersonMethods{}},
		{Pattern: "POST /api/v1/supply/persons/{id}/methods", Perm: write, Handler: h.RecordMethod, Summary: "登记个人知情选择的避孕方法（结束原方法）", Tag: "supply", In: supply.OfficerMethodInput{}, Out: supply.MethodUse{}},
		{Pattern: "GET /api/v1/supply/figures/methods", Perm: read, Handler: h.MethodFigures, Summary: "某日各避孕方法的使用人数", Tag: "supply", Out: supply.MethodCounts{}, Query: []string{"division", "date"}},
		{Pattern: "GET /api/v1/supply/figures/dispensed", Perm: auth.PermStatsRead, Handler: h.DispensedFigures, Summary: "期间内各药具发放数量（扣除冲正）", Tag: "supply", Out: supply.DispensedTotals{}, Query: []string{"division", "from", "to"}},
	}
}

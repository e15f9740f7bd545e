package main

import (
	"jisheng/internal/appointment"
	"jisheng/internal/auth"
	"jisheng/internal/httpx"
)

// appointmentRoutes are the appointment endpoints of the route table.
// Slots and bookings belong to health services (health.read/health.write);
// the counts name nobody and are a figure for reports (stats.read).
func appointmentRoutes(a *app) []httpx.Route {
	h := appointment.NewHandlers(a.appoint)
	const tag = "appointment"
	return []httpx.Route{
		{Pattern: "GET /api/v1/appointments/enums", Perm: auth.PermHealthRead, Handler: appointment.ServeEnums, Summary: "预约服务枚举值及中文名称", Tag: tag, Out: appointment.Enums{}},
		{Pattern: "GET /api/v1/appointments/slots", Perm: auth.PermHealthRead, Handler: h.ListSlots, Summary: "查询预约时段（日期范围，含剩余名额）", Tag: tag, Out: httpx.List[appointment.Slot]{}, Query: []string{"from", "to", "kind", "status", "division", "page", "size"}},
		{Pattern: "POST /api/v1/appointments/slots", Perm: auth.PermHealthWrite, Handler: h.CreateSlots, Summary: "新增预约时段（repeat_weeks≥2 时每周重复，全部成功或全部不建）", Tag: tag, In: appointment.SlotInput{}, Out: httpx.List[appointment.Slot]{}},
		{Pattern: "GET /api/v1/appointments/slots/{id}", Perm: auth.PermHealthRead, Handler: h.GetSlot, Summary: "预约时段详情", Tag: tag, Out: appointment.Slot{}},
		{Pattern: "POST /api/v1/appointments/slots/{id}/cancel", Perm: auth.PermHealthWrite, Handler: h.CancelSlot, Summary: "取消时段及其全部未服务的预约（须带 version 和原因）", Tag: tag, In: appointment.CancelSlotInput{}, Out: appointment.Slot{}},
		{Pattern: "GET /api/v1/appointments/slots/{id}/bookings", Perm: auth.PermHealthRead, Handler: h.SlotBookings, Summary: "时段的预约名单（仅本辖区人员，记入审计）", Tag: tag, Out: httpx.List[appointment.Booking]{}},
		{Pattern: "POST /api/v1/appointments/slots/{id}/bookings", Perm: auth.PermHealthWrite, Handler: h.Book, Summary: "预约（request_key 相同的重复提交返回首次的预约，200）", Tag: tag, In: appointment.BookInput{}, Out: appointment.Booking{}},
		{Pattern: "POST /api/v1/appointments/bookings/{id}/cancel", Perm: auth.PermHealthWrite, Handler: h.CancelBooking, Summary: "取消预约（须填原因，释放名额）", Tag: tag, In: appointment.CancelInput{}, Out: appointment.Booking{}},
		{Pattern: "POST /api/v1/appointments/bookings/{id}/attend", Perm: auth.PermHealthWrite, Handler: h.Attend, Summary: "标记到场（预约日当天或之后）", Tag: tag, Out: appointment.Booking{}},
		{Pattern: "POST /api/v1/appointments/bookings/{id}/no-show", Perm: auth.PermHealthWrite, Handler: h.NoShow, Summary: "标记未到（预约日当天或之后）", Tag: tag, Out: appointment.Booking{}},
		{Pattern: "GET /api/v1/appointments/persons/{id}/bookings", Perm: auth.PermHealthRead, Handler: h.PersonBookings, Summary: "人员的预约记录（记入审计）", Tag: tag, Out: httpx.List[appointment.Booking]{}},
		{Pattern: "GET /api/v1/appointments/schedule", Perm: auth.PermHealthRead, Handler: h.Schedule, Summary: "某日预约日程表（可按服务站区划、服务方式筛选；记入审计）", Tag: tag, Out: appointment.Schedule{}, Query: []string{"date", "division", "kind"}},
		{Pattern: "GET /api/v1/appointments/counts", Perm: auth.PermStatsRead, Handler: h.Counts, Summary: "预约人数统计（按服务项目和状态，报表用）", Tag: tag, Out: appointment.Counts{}, Query: []string{"from", "to"}},
	}
}

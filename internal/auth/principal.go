package auth

import (
	"context"
	"slices"
	"strings"
)

// Role is a user's job in the system; each role grants a fixed set of permissions.
type Role string

const (
	RoleSysadmin Role = "sysadmin" // 系统管理员: accounts, divisions, audit; no personal data
	RoleCounty   Role = "county"   // 县级管理员
	RoleTownship Role = "township" // 乡镇专干
	RoleVillage  Role = "village"  // 村计生专干
	RoleViewer   Role = "viewer"   // 只读 (leaders)
)

// Permission names one kind of action; each route names the one it needs.
type Permission string

const (
	PermStatsRead      Permission = "stats.read"      // aggregate counts of the user's area
	PermRegistryRead   Permission = "registry.read"   // persons and households, masked
	PermRegistryWrite  Permission = "registry.write"  // create and edit persons and households
	PermRegistryUnmask Permission = "registry.unmask" // see full ID and phone numbers (audited)
	PermUsersManage    Permission = "users.manage"    // accounts within the user's area
	PermAuditRead      Permission = "audit.read"      // the audit journal
	PermDivisionManage Permission = "division.manage" // add 村民小组 and adjust divisions
	PermHealthRead     Permission = "health.read"     // health service records (every view audited)
	PermHealthWrite    Permission = "health.write"    // record services, visits and appointments
	PermSupplyManage   Permission = "supply.manage"   // contraceptive stock: receipts, issues, transfers, stock-takes
	PermBenefitRead    Permission = "benefit.read"    // benefit programs, parameters and decisions
	PermBenefitWrite   Permission = "benefit.write"   // attest facts and run eligibility for persons
	PermStatsFile      Permission = "stats.file"      // generate, submit, return and accept period reports
)

// Roles lists every role in the order shown to users.
var Roles = []Role{RoleSysadmin, RoleCounty, RoleTownship, RoleVillage, RoleViewer}

var roleNames = map[Role]string{
	RoleSysadmin: "系统管理员",
	RoleCounty:   "县级管理员",
	RoleTownship: "乡镇专干",
	RoleVillage:  "村计生专干",
	RoleViewer:   "只读",
}

// The system administrator keeps the system running but sees no personal
// records: separation of duties (三员分立) under 等保 level 3. Leaders
// (viewer) read the registry and figures but no health record: health data
// is sensitive personal information (PIPL art. 28) and they have no service
// duty that needs it.
var rolePerms = map[Role][]Permission{
	RoleSysadmin: {PermStatsRead, PermUsersManage, PermAuditRead, PermDivisionManage},
	RoleCounty: {PermStatsRead, PermStatsFile, PermRegistryRead, PermRegistryWrite, PermRegistryUnmask,
		PermUsersManage, PermAuditRead, PermDivisionManage, PermHealthRead, PermHealthWrite, PermSupplyManage,
		PermBenefitRead, PermBenefitWrite},
	RoleTownship: {PermStatsRead, PermStatsFile, PermRegistryRead, PermRegistryWrite, PermRegistryUnmask,
		PermHealthRead, PermHealthWrite, PermSupplyManage, PermBenefitRead, PermBenefitWrite},
	RoleVillage: {PermStatsRead, PermStatsFile, PermRegistryRead, PermRegistryWrite, PermRegistryUnmask,
		PermHealthRead, PermHealthWrite, PermSupplyManage, PermBenefitRead, PermBenefitWrite},
	RoleViewer: {PermStatsRead, PermRegistryRead, PermBenefitRead},
}

// Name is the Chinese name of the role.
func (r Role) Name() string { return roleNames[r] }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleNames[r]; return ok }

// Permissions lists what the role may do.
func (r Role) Permissions() []Permission { return slices.Clone(rolePerms[r]) }

// Can reports whether the role grants p.
func (r Role) Can(p Permission) bool { return slices.Contains(rolePerms[r], p) }

// Principal is who is acting: a signed-in user, or the operator at the CLI.
type Principal struct {
	UserID       int64
	Username     string
	Role         Role
	DivisionCode string
	DivisionPath string // materialised path of the user's division, ending in '/'
	IP           string
	RequestID    string
	// MustChangePassword is set for a user signed in with a password an
	// administrator gave them; until they change it, only the routes needed to
	// do so are open.
	MustChangePassword bool
}

// Can reports whether the principal's role grants p.
func (p *Principal) Can(perm Permission) bool { return p != nil && p.Role.Can(perm) }

// Covers reports whether path lies in the principal's subtree.
func (p *Principal) Covers(path string) bool {
	return p != nil && p.DivisionPath != "" && strings.HasPrefix(path, p.DivisionPath)
}

type ctxKey struct{}

// WithPrincipal attaches p to ctx.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal of ctx, or nil.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// Operator is the principal of a person at the command line of the machine
// that runs jisheng. Whoever can run the binary there can read the database
// file and the key anyway, so the CLI acts above every division; it is still
// named in the audit journal, with the operating-system account.
func Operator(osUser string) *Principal {
	return &Principal{Username: "cli:" + osUser, Role: RoleSysadmin, DivisionPath: "/"}
}

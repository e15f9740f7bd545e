package auth

import "testing"

func TestRolePermissions(t *testing.T) {
	cases := []struct {
		role Role
		perm Permission
		want bool
	}{
		{RoleSysadmin, PermUsersManage, true},
		{RoleSysadmin, PermRegistryRead, false}, // separation of duties: no personal data
		{RoleCounty, PermRegistryUnmask, true},
		{RoleCounty, PermAuditRead, true},
		{RoleTownship, PermUsersManage, false},
		{RoleVillage, PermRegistryWrite, true},
		{RoleVillage, PermAuditRead, false},
		{RoleViewer, PermRegistryRead, true},
		{RoleViewer, PermRegistryUnmask, false},
		{RoleViewer, PermRegistryWrite, false},
		{RoleViewer, PermHealthRead, false}, // health data: service duty only
		{RoleSysadmin, PermHealthRead, false},
		{RoleVillage, PermHealthWrite, true},
		{RoleTownship, PermSupplyManage, true},
		{RoleViewer, PermBenefitRead, true}, // leaders read benefit lists, which are posted publicly anyway
		{RoleViewer, PermBenefitWrite, false},
		{RoleSysadmin, PermBenefitRead, false},
		{Role("boss"), PermStatsRead, false},
	}
	for _, c := range cases {
		if got := c.role.Can(c.perm); got != c.want {
			t.Errorf("%s can %s = %v, want %v", c.role, c.perm, got, c.want)
		}
	}
	for _, r := range Roles {
		if !r.Valid() || r.Name() == "" || !r.Can(PermStatsRead) {
			t.Errorf("role %s incomplete", r)
		}
	}
}

func TestCovers(t *testing.T) {
	town := &Principal{DivisionPath: "/34/3415/341523/341523100/"}
	cases := []struct {
		path string
		want bool
	}{
		{"/34/3415/341523/341523100/", true},
		{"/34/3415/341523/341523100/341523100201/", true},
		{"/34/3415/341523/341523101/", false},
		{"/34/3415/341523/", false},
		{"/34/3415/341523/3415231000/", false},
	}
	for _, c := range cases {
		if got := town.Covers(c.path); got != c.want {
			t.Errorf("covers %s = %v, want %v", c.path, got, c.want)
		}
	}
	var none *Principal
	if none.Covers("/34/") || (&Principal{}).Covers("/34/") {
		t.Error("a principal without a division covers something")
	}
	if !Operator("root").Covers("/34/3415/") {
		t.Error("the operator does not cover everything")
	}
}

package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"jisheng/internal/account"
	"jisheng/internal/auth"
)

var userCommands = map[string]func(context.Context, *cliEnv, []string) error{
	"add":            runUserAdd,
	"list":           runUserList,
	"reset-password": runUserResetPassword,
	"unlock":         runUserUnlock,
}

func runUser(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 {
		return usageError("用法：jisheng user add|list|reset-password|unlock [参数]")
	}
	sub, ok := userCommands[args[0]]
	if !ok {
		return usageError(fmt.Sprintf("未知的 user 子命令 %q（可用 add、list、reset-password、unlock）", args[0]))
	}
	return sub(ctx, env, args[1:])
}

func runUserAdd(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "user add", "user add --name 用户名 --role sysadmin|county|township|village|viewer --division 区划代码 [--password-file 文件]")
	dsn, keyFile := dbFlags(fs)
	name := fs.String("name", "", "用户名（2–32 位小写字母、数字或 _ . -）")
	display := fs.String("display-name", "", "姓名（默认同用户名）")
	role := fs.String("role", "", "角色：sysadmin 系统管理员、county 县级管理员、township 乡镇专干、village 村计生专干、viewer 只读")
	div := fs.String("division", "", "所属区划代码（县 6 位、乡镇 9 位、村 12 位）")
	pwFile := fs.String("password-file", "", "密码所在文件（- 表示标准输入）；不指定时在终端上询问，或从管道读取")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" || *role == "" || *div == "" {
		return usageError("请同时指定 --name、--role 和 --division")
	}
	if !auth.Role(*role).Valid() {
		return usageError(fmt.Sprintf("角色 %q 无效：可用 sysadmin、county、township、village、viewer", *role))
	}
	pw, err := readPassword(env, *pwFile)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer a.Close()
	if *display == "" {
		*display = *name
	}
	u, err := a.accounts.CreateUser(operatorCtx(ctx), account.NewUser{Username: *name, DisplayName: *display,
		Role: auth.Role(*role), Division: *div, Password: pw})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "已创建用户 %s（%s，%s %s）。首次登录后须修改密码。\n", u.Username, u.RoleName, u.Division, u.DivisionName)
	return nil
}

func runUserList(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "user list", "user list [--q 关键字]")
	dsn, keyFile := dbFlags(fs)
	q := fs.String("q", "", "按用户名或姓名筛选")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer a.Close()
	octx := operatorCtx(ctx)
	tw := tabwriter.NewWriter(env.stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "用户名\t姓名\t角色\t区划\t状态\t锁定至")
	for page := 1; ; page++ {
		users, total, err := a.accounts.ListUsers(octx, auth.From(octx), *q, page, 100)
		if err != nil {
			return err
		}
		for _, u := range users {
			locked := ""
			if u.LockedUntil != nil {
				locked = *u.LockedUntil
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s\t%s\t%s\n", u.Username, u.DisplayName, u.RoleName, u.Division,
				u.DivisionName, u.Status, locked)
		}
		if page*100 >= total {
			break
		}
	}
	return tw.Flush()
}

// userByName finds an account id for the CLI's by-name subcommands.
func userByName(ctx context.Context, a *app, name string) (int64, error) {
	var id int64
	err := a.db.Reader().QueryRow(ctx, `SELECT id FROM users WHERE username = ?`, name).Scan(&id)
	if isNoRows(err) {
		return 0, fmt.Errorf("用户 %s 不存在", name)
	}
	return id, err
}

func runUserResetPassword(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "user reset-password", "user reset-password --name 用户名 [--password-file 文件]")
	dsn, keyFile := dbFlags(fs)
	name := fs.String("name", "", "用户名")
	pwFile := fs.String("password-file", "", "新密码所在文件（- 表示标准输入）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError("请用 --name 指定用户名")
	}
	pw, err := readPassword(env, *pwFile)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer a.Close()
	id, err := userByName(ctx, a, *name)
	if err != nil {
		return err
	}
	if err := a.accounts.ResetPassword(operatorCtx(ctx), id, pw); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "已重置 %s 的密码，其所有会话已结束；下次登录须修改密码。\n", *name)
	return nil
}

func runUserUnlock(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "user unlock", "user unlock --name 用户名")
	dsn, keyFile := dbFlags(fs)
	name := fs.String("name", "", "用户名")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError("请用 --name 指定用户名")
	}
	a, err := openApp(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer a.Close()
	id, err := userByName(ctx, a, *name)
	if err != nil {
		return err
	}
	if err := a.accounts.Unlock(operatorCtx(ctx), id); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "已解锁用户 %s。\n", *name)
	return nil
}

package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"jisheng/internal/quality"
)

func runQuality(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) == 0 {
		return usageError("用法：jisheng quality recompute [--db 数据库]")
	}
	switch args[0] {
	case "recompute":
		return runQualityRecompute(ctx, env, args[1:])
	}
	return usageError(fmt.Sprintf("未知的 quality 子命令 %q（可用 recompute）", args[0]))
}

// runQualityRecompute rebuilds every data-quality finding of the database,
// for instance after a bulk load that bypassed the registry (the demo
// generator) or after changing a rule's thresholds.
func runQualityRecompute(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlags(env, "quality recompute", "quality recompute [--db 数据库]")
	dsn, keyFile := dbFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *dsn, *keyFile)
	if err != nil {
		return err
	}
	defer a.Close()
	bar := newProgress(env.stderr, "重新计算数据质量")
	res, err := a.quality.Recompute(operatorCtx(ctx), bar.update)
	bar.finish()
	if err != nil {
		return err
	}
	printQuality(env, res)
	return nil
}

func printQuality(env *cliEnv, res quality.Result) {
	fmt.Fprintf(env.stdout, "数据质量已重新计算，用时 %.1f 秒：新发现 %d 个问题，更新 %d 个，已解决 %d 个；现有未处理问题 %d 个。\n",
		res.Seconds, res.Added, res.Updated, res.Cleared, res.Findings)
	tw := tabwriter.NewWriter(env.stdout, 0, 2, 2, ' ', 0)
	for _, r := range quality.Rules {
		fmt.Fprintf(tw, "  %s\t%d\n", r.Label, res.ByRule[r.Code])
	}
	tw.Flush()
}

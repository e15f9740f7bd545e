package demo

import (
	"math/rand/v2"
	"sort"
	"strings"
)

// surnames are the common Chinese surnames with weights roughly in
// proportion to their national frequency (per mille), nudged towards Anhui,
// where 汪, 方, 程, 吴, 胡 and 储 (舒城) are more common than nationally.
var surnames = weighted[string]{items: []string{
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
	"徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
	"彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
	"余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈",
	"姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
	"石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟",
	"熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙",
	"史", "陶", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱",
	"严", "武", "戴", "孔", "汤", "储", "葛", "章", "鲍", "檀",
}, weights: []float64{
	71, 70, 66, 54, 45, 31, 21, 20, 26, 19,
	15, 14, 13, 13, 16, 12, 11, 10, 10, 9,
	8, 8, 7, 6, 6, 6, 6, 6, 5, 5,
	5, 5, 5, 5, 5, 4, 4, 4, 4, 4,
	4, 4, 4, 8, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 9, 3, 3,
	3, 3, 3, 2, 1, 2, 5, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 1, 2, 3, 2, 2, 1, 1,
}}

// Given names by birth era. Names are drawn from the era of the birth year,
// so that grandmothers are 秀英 and 桂兰 and granddaughters 梓涵 and 一诺.
var givenNames = [2][5][]string{
	{ // male
		split("建国 国庆 德明 长林 金山 福生 永安 国华 家宝 树林 明德 正清 仁和 传友 文华 玉山 守义 有才 宝贵 德胜 " +
			"先进 克勤 兆友 学文 开明 世昌 家福 立本 光明 振华 少华 春生 长青 有福 德才 启明 维新 和平 国栋 祖德"),
		split("建华 卫东 红军 志刚 国强 建平 永红 小平 建军 立新 向东 爱国 跃进 胜利 卫国 振国 海峰 洪涛 红兵 国平 " +
			"永生 国辉 德友 家林 长春 庆华 新民 俊 军 勇 斌 平 华 明 强 刚 伟 兵 林 东升"),
		split("伟 磊 鹏 杰 浩 超 涛 明 俊 强 勇 军 辉 刚 健 斌 亮 龙 飞 波 " +
			"志伟 俊杰 海涛 明辉 小龙 建伟 志强 文杰 晓东 海波 小军 金龙 春雷 冬冬 晓峰 建新 家伟 云飞 雪松 大伟"),
		split("浩 宇 鑫 鹏飞 俊杰 文博 家豪 宇航 子豪 浩然 晨 帅 博 凯 杰 天宇 振宇 志豪 嘉伟 思远 " +
			"明杰 一鸣 浩宇 子健 俊豪 宇豪 晨阳 泽宇 建豪 乐 文轩 志远 俊宇 佳乐 家俊 欣阳 子龙 雨泽 金鑫 昊"),
		split("子轩 浩宇 宇辰 沐宸 梓睿 奕辰 宸睿 浩然 子墨 若宇 铭泽 锦程 承泽 景行 皓轩 宇轩 梓豪 俊熙 博文 天佑 " +
			"一诺 梓航 睿 沐阳 瑾瑜 子航 宇泽 烁 明轩 梓宸 子睿 安 嘉懿 辰逸 宇航 宥 煜祺 晨曦 睿泽 一航"),
	},
	{ // female
		split("秀英 桂兰 玉兰 秀兰 桂英 凤英 玉珍 兰英 秀珍 桂芳 玉梅 翠兰 凤兰 淑珍 素珍 金凤 春花 玉英 桂珍 秀芝 " +
			"月英 美英 桂香 小英 玉凤 德珍 秀华 兰芳 冬梅 银花 翠英 秀云 玉华 素兰 秀梅 凤珍 金兰 桂枝 爱珍 菊英"),
		split("丽 红 霞 敏 燕 萍 芳 玲 琴 梅 华 红梅 丽华 秀云 春梅 海燕 小红 美玲 桂香 玉霞 " +
			"红霞 秀梅 爱华 丽萍 春燕 卫红 凤琴 晓红 金梅 秀琴 美华 小梅 桂芝 素梅 玉芳 小燕 爱琴 凤霞 春霞 艳"),
		split("婷婷 丽娟 静 娟 敏 丹 倩 雪 艳 莉 晶 颖 佳 慧 琳 欢 洁 蕾 文静 晓燕 " +
			"丹丹 莉莉 倩倩 玲玲 晶晶 芳芳 红艳 海霞 小燕 雪梅 娜 燕 丽丽 晓丽 媛媛 亚楠 慧敏 春艳 玉洁 梦"),
		split("欣怡 雨涵 诗涵 可欣 佳怡 子涵 思琪 梦瑶 雨欣 紫涵 佳琪 雨婷 梦琪 欣然 婉婷 佳慧 心怡 怡然 晓雪 静怡 " +
			"悦 琪 萱 雯 璐 梦婷 雅琪 思雨 佳欣 梓琪 雨萱 佳颖 欣悦 嘉欣 梦洁 雅婷 诗雨 文静 晨曦 梦雨"),
		split("梓涵 一诺 欣怡 若汐 语桐 沐晴 梓萱 可馨 诗琪 依诺 芊芊 安然 子涵 雨桐 梓晴 语汐 思涵 若曦 梦琪 诗雨 " +
			"沐 瑶 一然 欣妍 梓悦 紫萱 语嫣 书瑶 乐瑶 清欢 梓琳 可欣 雨萱 艺涵 诗涵 佳宁 星辰 知夏 念安 初夏"),
	},
}

func init() { surnames.prepare() }

func split(s string) []string { return strings.Fields(s) }

// eraOf maps a birth year to an index of givenNames.
func eraOf(year int) int {
	switch {
	case year <= 1955:
		return 0
	case year <= 1975:
		return 1
	case year <= 1992:
		return 2
	case year <= 2008:
		return 3
	default:
		return 4
	}
}

// givenName draws a given name for a person of sex (0 male, 1 female) born in year.
func givenName(r *rand.Rand, sex uint8, year int) string {
	pool := givenNames[sex][eraOf(year)]
	return pool[r.IntN(len(pool))]
}

// mobilePrefixes are 3-digit prefixes of Chinese mobile numbers (China
// Mobile, Unicom and Telecom), the older ones repeated to weigh them up.
var mobilePrefixes = split("130 131 132 133 134 135 136 137 138 139 135 136 137 138 139 " +
	"150 151 152 153 155 156 157 158 159 150 151 152 158 159 " +
	"180 181 182 183 184 185 186 187 188 189 187 188 189 " +
	"191 193 195 198 199 177 176 173")

// mobile returns a plausible 11-digit mobile number.
func mobile(r *rand.Rand) string {
	var b [11]byte
	copy(b[:3], mobilePrefixes[r.IntN(len(mobilePrefixes))])
	n := r.IntN(100_000_000)
	for i := 10; i >= 3; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}

// weighted draws items with probability proportional to their weights.
type weighted[T any] struct {
	items   []T
	weights []float64
	cum     []float64
}

func (w *weighted[T]) prepare() {
	if len(w.items) != len(w.weights) {
		panic("demo: weighted table with mismatched lengths")
	}
	w.cum = make([]float64, len(w.weights))
	s := 0.0
	for i, x := range w.weights {
		s += x
		w.cum[i] = s
	}
}

func (w *weighted[T]) pick(r *rand.Rand) T {
	x := r.Float64() * w.cum[len(w.cum)-1]
	i := sort.SearchFloat64s(w.cum, x)
	if i >= len(w.items) {
		i = len(w.items) - 1
	}
	return w.items[i]
}

package figure

import "testing"

func TestPercent(t *testing.T) {
	cases := []struct {
		num, den int
		want     float64
	}{
		{7, 9, 77.78}, {7, 8, 87.5}, {1, 3, 33.33}, {2, 3, 66.67}, {0, 5, 0}, {5, 5, 100},
		{19651, 20000, 98.26}, // 98.255 rounds half up
		{8655, 10173, 85.08},  // 妇检率 example of the domain reference
	}
	for _, c := range cases {
		got := Percent(c.num, c.den)
		if got == nil || *got != c.want {
			t.Errorf("Percent(%d, %d) = %v, want %v", c.num, c.den, got, c.want)
		}
	}
	if Percent(1, 0) != nil {
		t.Error("Percent with a zero denominator is not nil")
	}
}

func TestRate(t *testing.T) {
	cases := []struct {
		num, den, scale int64
		decimals        int
		want            float64
	}{
		{95, 86, 100, 1, 110.5},              // sex ratio of the domain reference's township
		{30, 181, 1, 2, 0.17},                // 出生人流比
		{8655, 10173, 100, 2, 85.08},         // 妇检率
		{12, 4000, 1000, 2, 3},               // 3.00‰
		{1, 8, 1, 2, 0.13},                   // 0.125 rounds half up
		{-1, 8, 1, 2, -0.13},                 // and away from zero below it
		{2 * 120, 19990 + 20010, 1000, 2, 6}, // a birth rate over the average population (start+end)/2
	}
	for _, c := range cases {
		got := Rate(c.num, c.den, c.scale, c.decimals)
		if got == nil || *got != c.want {
			t.Errorf("Rate(%d, %d, %d, %d) = %v, want %v", c.num, c.den, c.scale, c.decimals, got, c.want)
		}
	}
	if Rate(1, 0, 100, 2) != nil {
		t.Error("Rate with a zero denominator is not nil")
	}
	for _, c := range [][2]int{{7, 9}, {19651, 20000}, {1, 3}} {
		if *Rate(int64(c[0]), int64(c[1]), 100, 2) != *Percent(c[0], c[1]) {
			t.Errorf("Rate and Percent disagree on %v", c)
		}
	}
}

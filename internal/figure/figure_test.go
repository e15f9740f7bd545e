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

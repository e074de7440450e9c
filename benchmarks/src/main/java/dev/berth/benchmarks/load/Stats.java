package dev.berth.benchmarks.load;

import java.util.Arrays;
import java.util.Locale;

/** Small number helpers: percentiles of nanosecond samples, formatting. */
final class Stats {
    private Stats() {
    }

    /** The p-th percentile (0..100, nearest rank) of {@code sorted}, in milliseconds; NaN when empty. */
    static double percentileMs(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] / 1e6;
    }

    static long[] sorted(long[] values, int n) {
        long[] copy = Arrays.copyOf(values, n);
        Arrays.sort(copy);
        return copy;
    }

    static String ms(double v) {
        return Double.isNaN(v) ? "-" : v < 10 ? String.format(Locale.ROOT, "%.2f", v)
                : String.format(Locale.ROOT, "%.0f", v);
    }

    static String s(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }

    static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}

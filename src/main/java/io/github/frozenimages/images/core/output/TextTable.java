package io.github.frozenimages.images.core.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Rows of cells as the lines of a table for the build log: each column as wide as its widest cell, two spaces apart. */
public final class TextTable {

    private TextTable() {
    }

    /** @param rows the header first; every row has as many cells as the header */
    public static List<String> render(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", r[i]));
                if (i < r.length - 1) {
                    sb.append("  ");
                }
            }
            lines.add(sb.toString().stripTrailing());
        }
        return lines;
    }
}

package io.querysniper.daemon.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The query-sniper metric families a Grafana dashboard, a rules file or a {@code /metrics} page names
 * (used by DeployKitTest and DevClusterProcessIT, which compares them with a live node).
 */
public final class DashboardMetrics {
    private static final Pattern METRIC = Pattern.compile("\\bquery_sniper_[a-z_]+");
    /** Series Prometheus derives from one histogram or summary family. */
    private static final Pattern DERIVED = Pattern.compile("_(bucket|count|sum)$");

    private DashboardMetrics() {
    }

    public static Set<String> of(JsonNode dashboard) {
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                names.addAll(inText(target.path("expr").asText()));
            }
        }
        return names;
    }

    /** Family names: {@code query_sniper_x_seconds_bucket} counts as {@code query_sniper_x_seconds}. */
    public static Set<String> inText(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(DERIVED.matcher(m.group()).replaceFirst(""));
        }
        return names;
    }
}

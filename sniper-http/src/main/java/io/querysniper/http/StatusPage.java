package io.querysniper.http;

import java.util.List;

/**
 * The status page for a person: the same as {@code /status} plus the journal's newest kills
 * (fingerprints, never query text). One self-contained document: inline style, no script, no external
 * asset (it must work in a closed network), refreshed by the browser every {@link #REFRESH_SECONDS} s.
 */
final class StatusPage {
    static final int REFRESH_SECONDS = 5;

    private StatusPage() {
    }

    static String render(StatusReport s, List<RecentKill> kills) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>query-sniper ").append(esc(s.node())).append("</title><style>")
                .append("body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}")
                .append("h1{font-size:1.3em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.4em 0 .4em}")
                .append("table{border-collapse:collapse;width:100%;background:#fff}")
                .append("th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}")
                .append("th{background:#f0f0f0}td.fp{font-family:ui-monospace,monospace;word-break:break-all}")
                .append(".up{color:#17702f;font-weight:600}.down{color:#b3261e;font-weight:600}")
                .append(".slow{color:#a15c00;font-weight:600}.meta{color:#555}")
                .append("</style></head><body>\n");
        h.append("<h1>query-sniper on node ").append(esc(s.node())).append("</h1>\n<p class=\"meta\">version ")
                .append(esc(s.version())).append(" &middot; config ").append(esc(shortHash(s.configHash())))
                .append(" (loaded ").append(esc(orDash(s.lastReload()))).append(") &middot; coordination <b>")
                .append(esc(s.coordination())).append("</b> &middot; members: ")
                .append(esc(String.join(", ", s.members()))).append("</p>\n");

        h.append("<h2>Databases</h2>\n<table><tr><th>database</th><th>owner</th><th>server</th><th>last look</th>")
                .append("<th>poll</th><th>last kill</th><th>guard</th></tr>\n");
        for (StatusReport.DatabaseStatus d : s.databases()) {
            String cls = switch (d.reachable()) {
                case "UP" -> "up";
                case "SLOW" -> "slow";
                default -> "down";
            };
            h.append("<tr><td>").append(esc(d.name())).append("</td><td>")
                    .append(esc(d.owner() == null ? "none" : d.owner())).append(d.ownedHere() ? " (this node)" : "")
                    .append("</td><td class=\"").append(cls).append("\">").append(esc(d.reachable()))
                    .append("</td><td>").append(esc(orDash(d.lastLook()))).append("</td><td>")
                    .append(d.pollLatencySeconds() == null ? "-"
                            : String.format(java.util.Locale.ROOT, "%.1f ms", d.pollLatencySeconds() * 1000))
                    .append("</td><td>").append(esc(orDash(d.lastKill()))).append("</td><td>")
                    .append(d.guardTripped() ? "<span class=\"down\">TRIPPED</span>" : "ok").append("</td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Recent kills (journal)</h2>\n");
        if (kills.isEmpty()) {
            h.append("<p class=\"meta\">none in the journal's last hour</p>\n");
        } else {
            h.append("<table><tr><th>time (UTC)</th><th>database</th><th>rule</th><th>action</th><th>outcome</th>")
                    .append("<th>age</th><th>node</th><th>fingerprint</th></tr>\n");
            for (RecentKill k : kills) {
                h.append("<tr><td>").append(esc(k.time())).append("</td><td>").append(esc(k.database()))
                        .append("</td><td>").append(esc(orDash(k.rule()))).append("</td><td>")
                        .append(esc(orDash(k.action()))).append("</td><td>").append(esc(k.outcome()))
                        .append("</td><td>").append(k.ageMs() < 0 ? "-" : k.ageMs() + " ms").append("</td><td>")
                        .append(esc(k.node())).append("</td><td class=\"fp\" title=\"digest ")
                        .append(esc(orDash(k.digest()))).append("\">").append(esc(orDash(k.fingerprint())))
                        .append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("<p class=\"meta\">refreshes every ").append(REFRESH_SECONDS)
                .append(" s &middot; <a href=\"status\">status JSON</a> &middot; <a href=\"metrics\">metrics</a></p>\n")
                .append("</body></html>\n");
        return h.toString();
    }

    private static String shortHash(String hash) {
        return hash == null ? "-" : hash.length() > 12 ? hash.substring(0, 12) : hash;
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** HTML-escapes text and attribute values. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}

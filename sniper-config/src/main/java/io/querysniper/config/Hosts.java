package io.querysniper.config;

import java.util.regex.Pattern;

/**
 * What a database's {@code host} may be: one host name, IPv4 address or IPv6 literal. The MySQL
 * adapter writes it into a Connector/J URL ({@code jdbc:mysql://<host>:<port>/}), whose parser reads a
 * comma as a list of hosts (it connects to whichever answers, so a KILL could reach another server
 * than the one whose rows were judged), {@code address=(...)} and {@code (host=..,port=..)} as host
 * specs with properties, {@code user:password@} as a login, and {@code / ? #} as the end of the
 * host part. None of these can be a single host, so anything but the three forms is refused.
 */
final class Hosts {
    /** Host names (RFC 1123 letters, digits, hyphens, dots; underscores, which DNS allows) and IPv4. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?");
    private static final Pattern HOST_AND_PORT = Pattern.compile("([A-Za-z0-9_.-]+):([0-9]+)");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final Pattern IPV4 = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");

    private Hosts() {
    }

    /** Why {@code host} is not one host, or null when it is. */
    static String problem(String host) {
        if (NAME.matcher(host).matches() || ipv6Literal(host)) {
            return null;
        }
        if (host.indexOf(',') >= 0) {
            return "must be one host: Connector/J reads a comma-separated list as several hosts and connects to"
                    + " whichever answers, so a KILL could reach another server than the one whose sessions were judged";
        }
        var hostAndPort = HOST_AND_PORT.matcher(host);
        if (hostAndPort.matches()) {
            return "must be a host without a port: write port = " + hostAndPort.group(2) + " instead";
        }
        return "must be one host name, IPv4 address or IPv6 literal (such as db1.example, 10.0.0.12, ::1 or [::1]):"
                + " Connector/J reads ( ) = @ / ? # % and spaces in a URL's host part as host specs, connection"
                + " properties, credentials or escapes";
    }

    /** An IPv6 literal, bare or in brackets: 8 groups of 1 to 4 hex digits, "::" once, an IPv4 tail allowed. */
    static boolean ipv6Literal(String host) {
        String a = host.length() > 2 && host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1) : host;
        if (a.indexOf(':') < 0) {
            return false;
        }
        int gap = a.indexOf("::");
        if (gap >= 0 && a.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        // An IPv4 tail (::ffff:10.0.0.1) is allowed only in the last group of the address.
        int head = count(gap < 0 ? a : a.substring(0, gap), gap < 0);
        int tail = gap < 0 ? 0 : count(a.substring(gap + 2), true);
        if (head < 0 || tail < 0) {
            return false;
        }
        return gap < 0 ? head == 8 : head + tail < 8;
    }

    /** 16-bit groups in a colon-separated run, or -1 when one is not a group. */
    private static int count(String run, boolean ipv4Last) {
        if (run.isEmpty()) {
            return 0;
        }
        String[] groups = run.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            if (ipv4Last && i == groups.length - 1 && ipv4(groups[i])) {
                count += 2;
            } else if (HEX_GROUP.matcher(groups[i]).matches()) {
                count++;
            } else {
                return -1;
            }
        }
        return count;
    }

    private static boolean ipv4(String s) {
        var m = IPV4.matcher(s);
        if (!m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }
}

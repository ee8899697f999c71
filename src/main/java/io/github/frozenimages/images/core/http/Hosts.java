package io.github.frozenimages.images.core.http;

import java.util.Locale;

/** What a host name or address says about where it is, for the rules that treat this machine apart. */
public final class Hosts {

    private Hosts() {
    }

    /** Whether a host is this machine: {@code localhost}, {@code 127.0.0.0/8} or {@code ::1}, brackets or not. */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || h.matches("127(\\.\\d{1,3}){3}");
    }

    /** The host of a {@code host[:port]} authority, without the port and without IPv6 brackets. */
    public static String hostOf(String hostAndPort) {
        if (hostAndPort.startsWith("[")) {
            int close = hostAndPort.indexOf(']');
            return hostAndPort.substring(1, close < 0 ? hostAndPort.length() : close);
        }
        int colon = hostAndPort.lastIndexOf(':');
        return colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
    }
}

package io.github.frozenimages.images.testing;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One header line as it was on the wire: the name keeps its case, lookups ignore it. */
public record HttpHeader(String name, String value) {

    public HttpHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    /** The first value of {@code name} in {@code headers}. */
    public static Optional<String> first(List<HttpHeader> headers, String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(HttpHeader::value).findFirst();
    }

    /** {@code headers} without any header called {@code name}. */
    static List<HttpHeader> without(List<HttpHeader> headers, String name) {
        return headers.stream().filter(h -> !h.name().equalsIgnoreCase(name)).toList();
    }
}

package io.querysniper.core.target;

import java.util.Objects;

/** A database login. {@link #toString()} masks the password so it cannot reach a log by accident. */
public record Credentials(String user, String password) {
    public Credentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "Credentials[user=" + user + ", password=****]";
    }
}

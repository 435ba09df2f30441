package io.ncclffm.harness.matrix;

import java.util.regex.Pattern;

/**
 * Cell and check globs: {@code *} matches any run of characters, slashes included ({@code graph/*} covers
 * {@code graph/allreduce/float32/sum/1021}), {@code ?} one character; everything else is literal.
 */
final class Glob {

    private Glob() {
    }

    static boolean matches(String glob, String text) {
        StringBuilder regex = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.matches(regex.toString(), text);
    }
}

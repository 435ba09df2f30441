package io.ncclffm.harness.verdict;

import io.ncclffm.harness.protocol.Cause;
import io.ncclffm.harness.protocol.CheckStatus;

/**
 * Where a verdict that did not pass is filed in the reports: Allure's categories, which match a test by its status
 * and, for the three kinds of skip, by the prefix its message starts with. The prefixes live here only: the verdict
 * code that writes a waived message, the JUnit layer that writes the other skip messages, and the report that writes
 * Allure's {@code categories.json} all take them from this one place, so a message always lands in its category.
 */
public enum ReportCategory {
    WAIVED("Waived known gaps", CheckStatus.SKIPPED, "WAIVED ",
            "Failures a waiver in the matrix file accepts, each with its reason and link"),
    RELEASE_GAP("Release gaps (skipped with the release that adds it)", CheckStatus.SKIPPED, "RELEASE GAP: ",
            "What the library release lacks, e.g. bf16 before NCCL 2.10: checked against the release, not run"),
    NOT_RUN("Not run", CheckStatus.SKIPPED, "NOT RUN (",
            "Checks that never ran, with why: no GPU on the cell, an earlier step failed, the device lacks it. Nothing was learned from them"),
    BROKEN_INFRASTRUCTURE("Broken infrastructure", CheckStatus.BROKEN, null,
            "A rank died or hung, a container or image failed, Docker or a GPU was missing: nothing was learned about the library"),
    PRODUCT_DEFECT("Product defects", CheckStatus.FAILED, null,
            "The library or the binding gave a wrong answer, a wrong version, or an NCCL error where success was due");

    private final String title;
    private final CheckStatus status;
    private final String prefix;
    private final String description;

    ReportCategory(String title, CheckStatus status, String prefix, String description) {
        this.title = title;
        this.status = status;
        this.prefix = prefix;
        this.description = description;
    }

    /** The category's name in Allure. */
    public String title() {
        return title;
    }

    /** The one status it files. */
    public CheckStatus status() {
        return status;
    }

    /** What the message of a test of this category starts with; {@code null} where the status alone decides. */
    public String prefix() {
        return prefix;
    }

    public String description() {
        return description;
    }

    /**
     * Allure's {@code messageRegex}: the prefix, then anything (newlines included); {@code null} where the status alone
     * decides. The skip categories exclude each other by it, since Allure files a result under every category it
     * matches.
     */
    public String messageRegex() {
        if (prefix == null) return null;
        StringBuilder sb = new StringBuilder("(?s)");
        for (char c : prefix.toCharArray()) {
            if ("\\.[]{}()*+-?^$|".indexOf(c) >= 0) sb.append('\\');
            sb.append(c);
        }
        return sb.append(".*").toString();
    }

    /** The category of a verdict; {@code null} for a pass, which is filed nowhere. */
    public static ReportCategory of(Verdict v) {
        return switch (v.status()) {
            case PASSED -> null;
            case FAILED -> PRODUCT_DEFECT;
            case BROKEN -> BROKEN_INFRASTRUCTURE;
            case SKIPPED -> v.waived() != null ? WAIVED : v.cause() == Cause.RELEASE_GAP ? RELEASE_GAP : NOT_RUN;
        };
    }

    /** A waived failure's message: the waiver, then what the check said when it failed. */
    static String waivedMessage(Verdict.WaiverNote note, String failure) {
        return WAIVED.prefix + note + "; it failed with: " + failure;
    }

    /**
     * The message of a skipped test, led by its category's prefix: a waived failure's message has it already
     * ({@link #waivedMessage}), a release gap's and a check not run get it here, the latter with why it was not run.
     */
    public static String skipMessage(Verdict v) {
        return switch (of(v)) {
            case RELEASE_GAP -> RELEASE_GAP.prefix + v.message();
            case NOT_RUN -> NOT_RUN.prefix + Gate.notRunReason(v.cause()) + "): " + v.message();
            case null, default -> v.message();
        };
    }
}

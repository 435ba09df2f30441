package io.ncclffm.harness.junit;

/**
 * The matrix under failsafe: {@code mvn verify -Pgpu-matrix} (matrix file: {@code -Dncclffm.matrix}, default
 * {@code matrix/debian.yaml}; cells: {@code -Dncclffm.cells}). The dynamic tests are inherited.
 */
class CompatibilityMatrixIT extends CompatibilityMatrix {
}

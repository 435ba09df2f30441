package io.ncclffm.harness.library;

import com.github.dockerjava.api.DockerClient;

import io.ncclffm.harness.matrix.Cell;

/**
 * Builds the image of a recipe under {@code images/} with its build args (or finds it built), the way the harness
 * builds cell images; a {@code debian} source installs its package in the {@code images/debian} recipe so. The
 * library package takes it as given, so that it does not depend on the launchers that own image builds.
 */
public interface RecipeImages {

    /**
     * The Docker daemon the images are built on and library files are copied out of.
     *
     * @throws LibraryException saying why there is none
     */
    DockerClient docker();

    /**
     * @return the built image's reference
     * @throws LibraryException saying why the image could not be built (apt's last lines, a missing recipe)
     */
    String build(DockerClient docker, Cell.BuildImage recipe);
}

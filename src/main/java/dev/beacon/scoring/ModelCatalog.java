package dev.beacon.scoring;

import dev.beacon.http.Problem;
import io.vertx.core.Future;

/**
 * Finds model versions: a model file on the classpath ({@code scoring/model-v1.json}) or a fitted version in
 * {@code scoring_models}. The active version is the one chosen through the API, else {@code scoring.model}.
 */
final class ModelCatalog {
  private final ScoringRepository repo;
  private final String configured;

  ModelCatalog(ScoringRepository repo, String configured) {
    this.repo = repo;
    this.configured = configured;
  }

  /** The active model, and whether it was chosen through the API ({@code false}: it is {@code scoring.model}). */
  record Active(PropensityModel model, boolean chosenByApi) {}

  Future<PropensityModel> active() {
    return activeChoice().map(Active::model);
  }

  Future<Active> activeChoice() {
    return repo.activeModel().compose(chosen -> load(chosen == null ? configured : chosen)
        .map(m -> new Active(m, chosen != null)));
  }

  /** The model of this version; fails with 404 when there is none. */
  Future<PropensityModel> load(String version) {
    PropensityModel file = PropensityModel.resource(version);
    if (file != null) {
      return Future.succeededFuture(file);
    }
    if (!version.matches("v[0-9]{1,9}")) {
      return Future.failedFuture(Problem.invalid("version", "must look like v1"));
    }
    return repo.storedModel(version).compose(json -> json == null
        ? Future.failedFuture(Problem.notFound("There is no model version " + version))
        : Future.succeededFuture(PropensityModel.fromJson(json)));
  }
}

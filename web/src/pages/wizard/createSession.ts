import { ApiError, api, call } from "../../api/client";
import { problemOf, type FieldProblem } from "./serverErrors";
import type { CreateRequest } from "./wizardState";

/** A refused creation: the server's message, and where in the wizard it belongs (422s). */
export class CreateError extends Error {
  readonly error: ApiError;
  readonly problem: FieldProblem | null;

  constructor(error: ApiError, problem: FieldProblem | null) {
    super(error.message);
    this.name = "CreateError";
    this.error = error;
    this.problem = problem;
  }
}

/** Create the session; its id, or a {@link CreateError}. */
export async function createSession(request: CreateRequest): Promise<string> {
  const answer =
    request.kind === "backtest"
      ? api.POST("/v1/sessions", { body: request.body })
      : request.kind === "live"
        ? api.POST("/api/live-trading/sessions", { body: request.body })
        : api.POST("/api/paper-trading/sessions", { body: request.body });
  try {
    const session = await call<{ id: string }>(answer);
    return session.id;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status !== 422) throw new CreateError(error, null);
    const { error: body } = await answer;
    throw new CreateError(error, problemOf(body, error.message));
  }
}

// Pure mapping of our four states to each forge's vocabulary.
// GitHub: pending | success | failure | error
//   (docs.github.com/rest/commits/statuses#create-a-commit-status).
// GitLab: pending | running | success | failed | canceled (| skipped)
//   (docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit); no "error": both our
//   failure and error become `failed`.
// Gitea/Forgejo: pending | success | error | failure | warning (CreateStatusOption, Gitea API).
import type { StatusState } from './commit-status.js';

export type GitHubState = 'pending' | 'success' | 'failure' | 'error';
export type GitLabState = 'pending' | 'running' | 'success' | 'failed' | 'canceled';
export type GiteaState = 'pending' | 'success' | 'error' | 'failure' | 'warning';

export function toGitHubState(state: StatusState): GitHubState {
  return state;
}

export function toGitLabState(state: StatusState): GitLabState {
  switch (state) {
    case 'pending':
      return 'pending';
    case 'success':
      return 'success';
    case 'failure':
    case 'error':
      return 'failed';
  }
}

export function toGiteaState(state: StatusState): GiteaState {
  return state;
}

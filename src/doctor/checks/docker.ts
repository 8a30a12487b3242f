// Docker runtime only: the docker CLI, its daemon, the bybit-vault container and its recent log lines.
import { CONTAINER_NAME } from '../../runtime/docker.js';
import { lastLines, runCommand } from '../../runtime/exec.js';
import { judgeServerProcess } from '../server-process.js';
import { fail, ok, skip, type Check, type DoctorContext } from '../types.js';

const DOCKER_TIMEOUT_MS = 15_000;

export const dockerEngineCheck: Check = {
  id: 'docker.engine',
  title: 'Docker CLI and daemon',
  timeoutMs: DOCKER_TIMEOUT_MS + 2_000,
  async run(ctx) {
    if (ctx.runtime?.kind !== 'docker') return skip(notDockerReason(ctx));
    const version = await runCommand('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: DOCKER_TIMEOUT_MS });
    if (version.notFound) return fail('the docker CLI is not installed (not found on PATH)', 'install Docker Engine with the compose plugin (https://docs.docker.com/engine/install/)');
    if (version.timedOut) return fail(`the docker daemon did not answer within ${DOCKER_TIMEOUT_MS / 1000} s`, 'check the daemon: sudo systemctl status docker');
    if (version.exitCode !== 0) {
      return fail('the docker daemon does not answer', 'start it (sudo systemctl start docker) or check that your user may use it (docker ps)', lastLines(version.stderr, 3));
    }
    return ok(`docker daemon ${version.stdout.trim() || '(version unknown)'} answers`);
  },
};

export const dockerContainerCheck: Check = {
  id: 'docker.container',
  title: `Container ${CONTAINER_NAME}`,
  dependsOn: ['docker.engine'],
  timeoutMs: DOCKER_TIMEOUT_MS * 2,
  async run(ctx) {
    return judgeServerProcess(ctx);
  },
};

function notDockerReason(ctx: DoctorContext): string {
  return ctx.runtime ? `runtime is ${ctx.runtime.kind}: docker is not used` : 'no runtime recorded in the state and no deployment/docker-compose.vault.yml beside .env: docker is not checked';
}

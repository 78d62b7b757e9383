/** The engine's unix socket: DOCKER_HOST when it names one, else Docker's default. */
export function dockerSocket(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith("unix://") ? host.slice("unix://".length) : "/var/run/docker.sock";
}

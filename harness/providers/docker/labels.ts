/** Every container and network a Docker stack makes carries this label, its value the stack's id: the crash guard and `down` find them by it. */
export const GAUNTLET_LABEL = "dev.gauntlet.stack";

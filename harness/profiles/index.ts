export { builtInProfiles, loadProfile, PROFILES_DIR } from "./load-profile.ts";
export type { LoadStep, Profile } from "./profile-schema.ts";

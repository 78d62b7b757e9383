export { loadYamlFile, parseYaml, type YamlFileOptions } from "./yaml-file.ts";

export { type CertificateFiles, createRunCertificates, type RunCertificates } from "./run-certificates.ts";

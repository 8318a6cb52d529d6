// Validate docs/openapi.yaml with a real OpenAPI 3.1 validator (offline).
import { Validator } from "@seriousme/openapi-schema-validator";
const file = process.argv[2];
const v = new Validator();
const res = await v.validate(file);
if (!res.valid) {
  console.error(JSON.stringify(res.errors, null, 2));
  process.exit(1);
}
console.log(`openapi: ${file} is valid OpenAPI ${v.version}`);

// Validates Kubernetes manifests against the API schemas of the npm package kubernetes-models
// (types, enums, required fields; unknown fields are not its job: ManifestSchemaTest walks them).
//
//   node validate.mjs <file.yaml>...
//
// Prints one line per problem: "<file>: <kind>/<name>: <field>: <message>", and exits 1 when there
// is any. Objects of groups kubernetes-models has no schema for (CRDs such as monitoring.coreos.com
// or cert-manager.io) are listed as "not checked" on stderr and do not fail.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const problems = [];
let checked = 0;

for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    for (const error of doc.errors) {
      problems.push(`${file}: (yaml): ${error.code}: ${error.message.split("\n")[0]}`);
    }
    const object = doc.toJS();
    if (object === null || object === undefined) {
      continue;
    }
    await validate(file, object);
  }
}

for (const problem of problems) {
  console.log(problem);
}
console.error(`${checked} object(s) checked, ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);

async function validate(file, object) {
  const name = `${object.kind ?? "(no kind)"}/${object.metadata?.name ?? "(no name)"}`;
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    problems.push(`${file}: ${name}: /: apiVersion and kind are required`);
    return;
  }
  const Model = await modelOf(object.apiVersion, object.kind);
  if (!Model) {
    console.error(`${file}: ${name}: not checked (no schema for ${object.apiVersion} ${object.kind})`);
    return;
  }
  checked++;
  try {
    new Model(object).validate();
  } catch (e) {
    if (!Array.isArray(e.errors)) {
      throw e;
    }
    for (const error of e.errors) {
      const field = error.instancePath || "/";
      problems.push(`${file}: ${name}: ${field}: ${error.message}`);
    }
  }
}

async function modelOf(apiVersion, kind) {
  const module = `kubernetes-models/${apiVersion.includes("/") ? apiVersion : "v1"}/${kind}`;
  try {
    return (await import(module))[kind];
  } catch (e) {
    if (e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || e.code === "ERR_MODULE_NOT_FOUND") {
      return undefined;
    }
    throw e;
  }
}

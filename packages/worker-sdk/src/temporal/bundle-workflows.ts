import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { sdkWorkflowModulePath } from './workflow-module-path.js';

export interface BundleWorkflowsOptions {
  /** Module exporting the workflow functions. */
  readonly workflowsPath: string;
  /** When set, the bundle is written there (load it with `workflowBundle: { codePath }`). */
  readonly outFile?: string;
  /** Extra workflow interceptor modules, after the SDK's own. */
  readonly workflowInterceptorModules?: readonly string[];
}

/**
 * Builds the workflow bundle with the SDK's workflow interceptors baked in (a prebuilt bundle ignores
 * `interceptors.workflowModules`). Run it at image build time; production workers load the file and skip webpack.
 */
export async function bundleWorkflows(options: BundleWorkflowsOptions): Promise<WorkflowBundleWithSourceMap> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: options.workflowsPath,
    workflowInterceptorModules: [sdkWorkflowModulePath(), ...(options.workflowInterceptorModules ?? [])],
  });
  if (options.outFile) await writeFile(options.outFile, bundle.code);
  return bundle;
}

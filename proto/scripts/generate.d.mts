// Types for generate.mjs (used by the freshness test).
export declare const PROTO_PACKAGE_DIR: string;
export declare const PROTOS_DIR: string;
export declare const DEFAULT_OUT_DIR: string;
export declare const PROTO_FILES: string[];
export declare const LOADER_FLAGS: Readonly<{
  keepCase: boolean;
  longs: 'Number';
  enums: 'String';
  defaults: boolean;
  oneofs: boolean;
}>;
export declare const HEADER: string;
export declare const DESCRIPTOR_PATH: string;
export declare function descriptorJson(): string;
export declare function generate(opts?: { outDir?: string; quiet?: boolean; descriptorPath?: string | null }): string;

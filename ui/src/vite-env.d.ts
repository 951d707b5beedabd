/// <reference types="vite/client" />
declare const __WARDEN_VERSION__: string;

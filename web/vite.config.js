import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The Go server (jisheng serve) embeds web/dist and serves the API under
// /api/v1 on the same origin, so the app uses relative URLs everywhere and
// the dev server proxies the API to a locally running server.
const apiTarget = process.env.JISHENG_API || 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  plugins: [vue()],
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Routes are loaded on demand (see src/router.js); Rolldown splits the
    // shared Element Plus components into common chunks by itself.
    chunkSizeWarningLimit: 600,
    reportCompressedSize: true,
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.js'],
    css: false,
    restoreMocks: true,
    // Run Element Plus through Vite too, so that it and the views share one
    // copy of Vue (provide/inject between form and form items needs that).
    server: { deps: { inline: ['element-plus'] } },
  },
})

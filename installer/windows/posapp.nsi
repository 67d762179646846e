; posapp for Windows: per-machine install of the one-folder bundle, Start menu entry, uninstaller.
;
;   makensis -DVERSION=0.1.0 -DPAYLOAD=..\..\build\dist\posapp installer\windows\posapp.nsi
;
; PAYLOAD is the PyInstaller folder (posapp.exe + _internal\). The shop's data (ledger, offline
; queue, settings, logs) lives in each user's %LOCALAPPDATA%\posapp, never under Program Files:
; an upgrade replaces the program folder only, and the uninstaller leaves the data in place.
; The till's token lives in the Windows Credential Locker, which no installer touches.
Unicode true
SetCompressor /SOLID lzma

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef PAYLOAD
  !define PAYLOAD "..\..\build\dist\posapp"
!endif
!ifndef OUTFILE
  !define OUTFILE "posapp-${VERSION}-setup.exe"
!endif
!define APP "posapp"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"

!include "MUI2.nsh"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "Software\${APP}" "InstallDir"
RequestExecutionLevel admin
ShowInstDetails show

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Italian"
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetShellVarContext all
FunctionEnd

Section "posapp" SecMain
  SectionIn RO
  ; an upgrade: remove the previous program files (never the data, which is not here)
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${PAYLOAD}\*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APP}"
  CreateShortcut "$SMPROGRAMS\${APP}\${APP}.lnk" "$INSTDIR\posapp.exe" "" "$INSTDIR\posapp.exe" 0
  CreateShortcut "$SMPROGRAMS\${APP}\${APP} self-test.lnk" "$SYSDIR\cmd.exe" \
    '/k "$INSTDIR\posapp-cli.exe" --self-test' "$INSTDIR\posapp.exe" 0
  WriteRegStr HKLM "Software\${APP}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "posapp"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\posapp.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${APP}\${APP}.lnk"
  Delete "$SMPROGRAMS\${APP}\${APP} self-test.lnk"
  RMDir "$SMPROGRAMS\${APP}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\posapp.exe"
  Delete "$INSTDIR\posapp-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINST_KEY}"
  DeleteRegKey HKLM "Software\${APP}"
  ; %LOCALAPPDATA%\posapp (ledger, queue, settings, logs) is kept on purpose.
SectionEnd
